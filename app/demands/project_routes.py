from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.common.policy import login_required
from app.demands import present, projects
from app.demands.project_schemas import (
    PlanSchema,
    ProjectCreateSchema,
    ProjectDetailSchema,
    ProjectQuerySchema,
    ProjectSchema,
    ProjectUpdateSchema,
)
from app.demands.schemas import CoordQuerySchema

projects_blp = Blueprint("projects", __name__, url_prefix="/api/v1", description="项目清单：设施补充时序表与建设进度表")


def _fields(body: dict) -> dict:
    """Request body → service fields, with the location (WGS-84 once parsed) as lng/lat."""
    fields = {k: v for k, v in body.items() if k not in ("location", "coord")}
    if "location" in body:
        point = body["location"]
        fields.update(lng=point and point["lng"], lat=point and point["lat"])
    return fields


def _out(project, coord):
    return present.project_out(project, coord, projects.linked_demand_counts([project.id]).get(project.id, 0))


@projects_blp.route("/staff/projects")
class StaffProjects(MethodView):
    decorators = [login_required("staff", "admin")]

    @projects_blp.arguments(ProjectCreateSchema)
    @projects_blp.response(201, ProjectSchema)
    def post(self, body):
        """新建项目（所辖生活圈），可同时关联已受理的需求"""
        return _out(projects.create_project(current_user, _fields(body)), body["coord"])


@projects_blp.route("/staff/projects/<int:project_id>")
class StaffProject(MethodView):
    decorators = [login_required("staff", "admin")]

    @projects_blp.arguments(ProjectUpdateSchema)
    @projects_blp.response(200, ProjectSchema)
    def patch(self, body, project_id):
        """修改项目：进度、日期、状态（完成时关联需求随之办结并请提交人确认）"""
        return _out(projects.update_project(current_user, project_id, _fields(body)), body["coord"])


@projects_blp.route("/circles/<int:circle_id>/projects")
class CircleProjects(MethodView):
    @projects_blp.arguments(ProjectQuerySchema, location="query")
    @projects_blp.response(200, PlanSchema)
    def get(self, args, circle_id):
        """生活圈项目清单：设施补充时序表（按轻重缓急）与建设进度表"""
        rows = projects.circle_projects(circle_id, args["status"])
        counts = projects.linked_demand_counts([p.id for p in rows])
        return present.plan_tables(circle_id, rows, counts, args["coord"])


@projects_blp.route("/projects/<int:project_id>")
class ProjectDetail(MethodView):
    @projects_blp.arguments(CoordQuerySchema, location="query")
    @projects_blp.response(200, ProjectDetailSchema)
    def get(self, args, project_id):
        """项目详情与关联的需求"""
        project = projects.get_project(project_id)
        demands = projects.linked_demands(project.id)
        return {
            **present.project_out(project, args["coord"], len(demands)),
            "demands": present.demands_out(demands, args["coord"], timeline=False),
        }
