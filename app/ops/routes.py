"""Probes for load balancers and compose healthchecks, and the Prometheus scrape (denied by the nginx front)."""

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from app.common import metrics
from app.notifications.metrics import OutboxCollector
from app.ops import service
from app.ops.schemas import LivenessSchema, ReadinessSchema

blp = Blueprint("ops", __name__, description="运维：存活、就绪与监控指标")


@blp.route("/healthz")
class Liveness(MethodView):
    @blp.response(200, LivenessSchema)
    def get(self):
        """存活检查：进程在应答（不访问数据库和 Redis）"""
        return {"status": "ok"}


@blp.route("/readyz")
class Readiness(MethodView):
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, schema=ReadinessSchema, description="未就绪：数据库不可达或迁移未到最新")
    def get(self):
        """就绪检查：PostgreSQL 可达且迁移已到最新；Redis 不可达时为 degraded（仍就绪）"""
        result = service.readiness()
        return result, 200 if result["status"] == "ready" else 503


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.doc(
        responses={
            "200": {
                "description": "Prometheus 文本格式；仅供内网抓取，nginx 前端拒绝外部访问",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    )
    def get(self):
        """Prometheus 监控指标（内网）"""
        return Response(metrics.render(OutboxCollector()), mimetype="text/plain", content_type=metrics.CONTENT_TYPE)
