from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from app.audit.schemas import AuditPageSchema
from app.auth import accounts
from app.auth.schemas import (
    AccountCreateSchema,
    AccountPageSchema,
    AccountQuerySchema,
    AccountSchema,
    AccountUpdateSchema,
    PasswordResetSchema,
)
from app.common.policy import BUREAU, login_required
from app.common.schemas import PageQuerySchema

blp = Blueprint(
    "accounts", __name__, url_prefix="/api/v1", description="账号管理：商务局管理本市社区工作人员，管理员管理全部"
)


@blp.route("/accounts")
class Accounts(MethodView):
    decorators = [login_required(*BUREAU)]

    @blp.arguments(AccountQuerySchema, location="query")
    @blp.response(200, AccountPageSchema)
    def get(self, args):
        """账号列表（商务局：本市的工作人员和商务局账号）"""
        return accounts.list_accounts(current_user, **args).map(accounts.account_dict)

    @blp.arguments(AccountCreateSchema)
    @blp.response(201, AccountSchema)
    def post(self, body):
        """新建账号（商务局：本市生活圈的工作人员；管理员：任意角色）"""
        return accounts.account_dict(accounts.create_account(current_user, **body))


@blp.route("/accounts/<int:account_id>")
class Account(MethodView):
    decorators = [login_required(*BUREAU)]

    @blp.response(200, AccountSchema)
    def get(self, account_id):
        """账号详情"""
        return accounts.account_dict(accounts.get_account(current_user, account_id))

    @blp.arguments(AccountUpdateSchema)
    @blp.response(200, AccountSchema)
    def patch(self, body, account_id):
        """修改账号：姓名、负责范围（生活圈/城市）、停用或启用"""
        return accounts.account_dict(accounts.update_account(current_user, account_id, body))


@blp.route("/accounts/<int:account_id>/password")
class AccountPassword(MethodView):
    decorators = [login_required(*BUREAU)]

    @blp.arguments(PasswordResetSchema)
    @blp.response(200, AccountSchema)
    def post(self, body, account_id):
        """重置密码（记入审计，不记录密码）"""
        return accounts.account_dict(accounts.reset_password(current_user, account_id, **body))


@blp.route("/accounts/<int:account_id>/audit")
class AccountAudit(MethodView):
    decorators = [login_required(*BUREAU)]

    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args, account_id):
        """账号的变更记录：谁、何时、改了什么"""
        return accounts.account_audit(current_user, account_id, **args)
