"""Initial helpline directory: organizations, services, contact channels, verification.

Database triggers raise `directory_meta.version` on every change to a directory table, so a
running Hulpwijzer notices staff edits (from any tool, even plain SQL) on its next route().

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

VERSIONED_TABLES = (
    "organization",
    "service",
    "service_text",
    "service_topic",
    "service_audience",
    "service_area",
    "service_capability",
    "service_statement",
    "contact_channel",
)


def _verification() -> list[sa.Column]:
    return [
        sa.Column("source_url", sa.String(500), nullable=False),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("verified_by", sa.String(200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def _service_child(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("service_id", sa.String(64), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=f"fk_{name}_service_id_service", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("service_id", columns[0].name, name=f"pk_{name}"),
    )


def upgrade() -> None:
    op.create_table(
        "directory_meta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_directory_meta"),
    )
    op.create_table(
        "organization",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organization"),
    )
    op.create_table(
        "service",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("intake_via_id", sa.String(64), nullable=True),
        *_verification(),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], name="fk_service_organization_id_organization"),
        sa.ForeignKeyConstraint(["intake_via_id"], ["service.id"], name="fk_service_intake_via_id_service"),
        sa.PrimaryKeyConstraint("id", name="pk_service"),
    )
    op.create_index("ix_service_organization_id", "service", ["organization_id"])
    op.create_table(
        "service_text",
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("alert", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name="fk_service_text_service_id_service", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("service_id", "language", name="pk_service_text"),
    )
    _service_child("service_topic", sa.Column("topic", sa.String(32), nullable=False))
    _service_child("service_audience", sa.Column("audience", sa.String(32), nullable=False))
    _service_child("service_area", sa.Column("area", sa.String(64), nullable=False))
    _service_child("service_capability", sa.Column("capability", sa.String(64), nullable=False))
    _service_child(
        "service_statement",
        sa.Column("statement", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_table(
        "contact_channel",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(200), nullable=True),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("opening_hours", sa.String(500), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("holiday_calendar", sa.String(32), nullable=False),
        sa.Column("free", sa.Boolean(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=True),
        sa.Column("on_phone_bill", sa.Boolean(), nullable=True),
        sa.Column("takes_report", sa.Boolean(), nullable=True),
        *_verification(),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name="fk_contact_channel_service_id_service", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_contact_channel"),
    )
    op.create_index("ix_contact_channel_service_id", "contact_channel", ["service_id"])

    op.execute("INSERT INTO directory_meta (id, version) VALUES (1, 0)")
    _create_version_triggers()


def downgrade() -> None:
    _drop_version_triggers()
    op.drop_index("ix_contact_channel_service_id", table_name="contact_channel")
    op.drop_table("contact_channel")
    for name in ("service_statement", "service_capability", "service_area", "service_audience", "service_topic", "service_text"):
        op.drop_table(name)
    op.drop_index("ix_service_organization_id", table_name="service")
    op.drop_table("service")
    op.drop_table("organization")
    op.drop_table("directory_meta")


_BUMP = "UPDATE directory_meta SET version = version + 1 WHERE id = 1"


def _create_version_triggers() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for table in VERSIONED_TABLES:
            for action in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER trg_{table}_{action.lower()}_version AFTER {action} ON {table} "
                    f"BEGIN {_BUMP}; END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION hulpwijzer_bump_directory_version() RETURNS trigger AS $$ "
            f"BEGIN {_BUMP}; RETURN NULL; END; $$ LANGUAGE plpgsql"
        )
        for table in VERSIONED_TABLES:
            op.execute(
                f"CREATE TRIGGER trg_{table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION hulpwijzer_bump_directory_version()"
            )
    else:
        raise NotImplementedError(f"Hulpwijzer supports SQLite and PostgreSQL, not {dialect}")


def _drop_version_triggers() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for table in VERSIONED_TABLES:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_{action}_version")
    elif dialect == "postgresql":
        for table in VERSIONED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS hulpwijzer_bump_directory_version()")
