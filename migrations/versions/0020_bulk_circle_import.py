"""bulk circle import: the circles' outlet trigger steps aside while an import reassigns outlets for the batch

Revision ID: 0020
Revises: 0019

`flask circles import` writes a file's circles together and then gives the outlets under the new or moved
boundaries their circle with one spatial join (app/circles/importer.py). While it writes them, the transaction
sets `app.circles_bulk = on` and `circles_reassign_outlets` does not run (it would update the outlets of each
circle one circle at a time through their row triggers); every other write of circles is unchanged.
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

NOT_BULK = "current_setting('app.circles_bulk', true) IS DISTINCT FROM 'on'"


def upgrade():
    op.execute(
        f"""
        DROP TRIGGER circles_reassign_outlets ON circles;
        CREATE TRIGGER circles_reassign_outlets AFTER INSERT OR UPDATE OF boundary OR DELETE ON circles
            FOR EACH ROW WHEN ({NOT_BULK}) EXECUTE FUNCTION circles_reassign_outlets();
        """
    )


def downgrade():
    op.execute(
        """
        DROP TRIGGER circles_reassign_outlets ON circles;
        CREATE TRIGGER circles_reassign_outlets AFTER INSERT OR UPDATE OF boundary OR DELETE ON circles
            FOR EACH ROW EXECUTE FUNCTION circles_reassign_outlets();
        """
    )
