from flask import Response
from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.common.errors import ValidationFailed
from app.common.files import file_doc
from app.common.policy import login_required
from app.common.reads import read_only
from app.outlets import census
from app.outlets.census_schemas import (
    CensusExportQuerySchema,
    CensusPageSchema,
    CensusQuerySchema,
    ImportFileSchema,
    ImportFormSchema,
    ImportReportSchema,
)
from app.outlets.importer import FORMATS, SOURCES, ImportFileError, detect_format, import_outlet_data

census_blp = Blueprint("outlet_census", __name__, url_prefix="/api/v1/staff", description="网点普查（工作台）")
CSV_NAME = "attachment; filename=outlets.csv; filename*=UTF-8''%E7%BD%91%E7%82%B9.csv"  # 网点.csv


@census_blp.route("/outlets")
class Census(MethodView):
    decorators = [login_required("staff", "admin", console=True)]

    @census_blp.arguments(CensusQuerySchema, location="query")
    @census_blp.response(200, CensusPageSchema)
    def get(self, args):
        """网点普查列表：按生活圈、社区、状态、业态、关键词筛选（含已关停、待审核）；或按编号取评价依据中的网点"""
        page, page_size, coord = args.pop("page"), args.pop("page_size"), args.pop("coord")
        args["statuses"] = args.pop("status")
        listing = census.census_page(current_user, page=page, page_size=page_size, **args)
        return listing.map(lambda row: census.census_out(row, coord))


@census_blp.route("/outlets.csv")
class CensusExport(MethodView):
    decorators = [login_required("staff", "admin", console=True)]

    @census_blp.arguments(CensusExportQuerySchema, location="query")
    @census_blp.doc(responses=file_doc("text/csv", "CSV（UTF-8，列同导入格式）", binary=False))
    @read_only
    def get(self, args):
        """导出网点普查（CSV，列与导入格式相同，可修改后重新导入）"""
        coord = args.pop("coord")
        args["statuses"] = args.pop("status")
        data = census.census_csv(current_user, coord, **args)
        return Response(
            data,
            mimetype="text/csv",
            headers={"Content-Disposition": CSV_NAME},
        )


@census_blp.route("/outlets/import")
class CensusImport(MethodView):
    decorators = [login_required("admin", console=True)]

    @census_blp.arguments(ImportFormSchema, location="query")
    @census_blp.arguments(ImportFileSchema, location="files")
    @census_blp.response(200, ImportReportSchema)
    def post(self, args, files):
        """导入网点普查（CSV / GeoJSON / Excel，multipart 字段 file）：逐行报告错误，好的行照常导入"""
        upload = files["file"]
        try:
            fmt = args["format"]
            container = fmt if fmt in FORMATS else detect_format(upload.filename)
            source = fmt if fmt in SOURCES else None
            result = import_outlet_data(
                upload.read(), fmt=container, source=source, coord=args["coord"], dry_run=args["dry_run"]
            )
        except ImportFileError as error:
            raise ValidationFailed("文件无法导入", details={"file": [str(error)]}) from None
        return {
            "created": result.created,
            "updated": result.updated,
            "failed": result.failed,
            "outside": result.outside,
            "dry_run": result.dry_run,
            "errors": [
                {"row": e.row, "reason": e.reason, "external_id": e.external_id, "name": e.name} for e in result.errors
            ],
            "warnings": result.warnings,
        }
