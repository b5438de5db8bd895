"""Tables of the four-week onboarding plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.identity import User


class Plan(Base):
    """The ministry's plan; weeks are counted from ``start``."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    start: Mapped[date] = mapped_column(Date)
    tasks: Mapped[list[PlanTask]] = relationship(
        back_populates="plan", order_by="PlanTask.position", cascade="all, delete-orphan"
    )


class PlanTask(Base):
    __tablename__ = "plan_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    axis: Mapped[int] = mapped_column(Integer)
    week: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    done_by: Mapped[User | None] = relationship()
