"""Staff accounts, the audit trail, and the languages a service can be contacted in.

`service_language` is a directory table: it gets the same version triggers as the tables in
0001, so a changed language list reaches routing on its next call. The staff tables do not
change what routing sees and have no triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VERSIONED_TABLE = "service_language"
_BUMP = "UPDATE directory_meta SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "service_language",
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name="fk_service_language_service_id_service", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("service_id", "language", name="pk_service_language"),
    )
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_user"),
        sa.UniqueConstraint("username", name="uq_staff_user_username"),
    )
    op.create_table(
        "staff_organisation",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name="fk_staff_organisation_user_id_staff_user", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"], name="fk_staff_organisation_organization_id_organization", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "organization_id", name="pk_staff_organisation"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("undoes_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["undoes_id"], ["audit_entry.id"], name="fk_audit_entry_undoes_id_audit_entry"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entry"),
    )
    op.create_index("ix_audit_entry_entity", "audit_entry", ["entity"])
    op.create_index("ix_audit_entry_entity_id", "audit_entry", ["entity_id"])
    _create_version_triggers()


def downgrade() -> None:
    _drop_version_triggers()
    op.drop_index("ix_audit_entry_entity_id", table_name="audit_entry")
    op.drop_index("ix_audit_entry_entity", table_name="audit_entry")
    op.drop_table("audit_entry")
    op.drop_table("staff_organisation")
    op.drop_table("staff_user")
    op.drop_table("service_language")


def _create_version_triggers() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for action in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER trg_{VERSIONED_TABLE}_{action.lower()}_version AFTER {action} ON {VERSIONED_TABLE} "
                f"BEGIN {_BUMP}; END"
            )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE TRIGGER trg_{VERSIONED_TABLE}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {VERSIONED_TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION hulpwijzer_bump_directory_version()"
        )
    else:
        raise NotImplementedError(f"Hulpwijzer supports SQLite and PostgreSQL, not {dialect}")


def _drop_version_triggers() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for action in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_{VERSIONED_TABLE}_{action}_version")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS trg_{VERSIONED_TABLE}_version ON {VERSIONED_TABLE}")
