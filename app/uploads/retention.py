"""Files WeChat's media check rejected (risky) are kept a while for appeals and staff review, then erased."""

from app.common import retention


def _delete_files(rows):
    from app.uploads.service import delete_unreferenced_files

    delete_unreferenced_files(key for row in rows for key in row)


retention.register(
    retention.Rule(
        name="rejected_uploads",
        table="uploads",
        timestamp="updated_at",
        setting="RETENTION_REJECTED_UPLOADS_DAYS",
        default_days=30,
        where="media_check = 'risky'",
        returning=("storage_key", "thumb_key"),
        after_delete=_delete_files,
        why="未通过微信内容安全检测的图片：供申诉与工作人员复核",
    )
)
