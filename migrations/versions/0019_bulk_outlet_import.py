"""bulk outlet import: the row triggers step aside while an import does their work for the whole file

Revision ID: 0019
Revises: 0018

`flask outlets import` computes circle/community membership with one spatial join and writes the first
version of each new outlet with one INSERT … SELECT (app/outlets/bulk.py). While it does, the transaction sets
`app.outlets_bulk = on`, and these triggers do not run; every other write path is unchanged. The history
trigger is split so that only its INSERT half steps aside: a bulk update still closes and opens versions
through it.
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

NOT_BULK = "current_setting('app.outlets_bulk', true) IS DISTINCT FROM 'on'"


def upgrade():
    op.execute(
        f"""
        DROP TRIGGER outlets_assign_area ON outlets;
        CREATE TRIGGER outlets_assign_area BEFORE INSERT OR UPDATE OF location ON outlets
            FOR EACH ROW WHEN ({NOT_BULK}) EXECUTE FUNCTION outlets_assign_area();
        DROP TRIGGER outlets_keep_history ON outlets;
        CREATE TRIGGER outlets_keep_history AFTER UPDATE OR DELETE ON outlets
            FOR EACH ROW EXECUTE FUNCTION outlets_keep_history();
        CREATE TRIGGER outlets_keep_history_insert AFTER INSERT ON outlets
            FOR EACH ROW WHEN ({NOT_BULK}) EXECUTE FUNCTION outlets_keep_history();
        """
    )


def downgrade():
    op.execute(
        """
        DROP TRIGGER outlets_keep_history_insert ON outlets;
        DROP TRIGGER outlets_keep_history ON outlets;
        CREATE TRIGGER outlets_keep_history AFTER INSERT OR UPDATE OR DELETE ON outlets
            FOR EACH ROW EXECUTE FUNCTION outlets_keep_history();
        DROP TRIGGER outlets_assign_area ON outlets;
        CREATE TRIGGER outlets_assign_area BEFORE INSERT OR UPDATE OF location ON outlets
            FOR EACH ROW EXECUTE FUNCTION outlets_assign_area();
        """
    )
