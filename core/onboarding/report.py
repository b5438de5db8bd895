"""What an onboarding changed (or would change), rendered as French lines."""

from __future__ import annotations

from dataclasses import dataclass, field


def _participle(count: int, stem: str, feminine: bool) -> str:
    # French: 0 and 1 take the singular; "créé" -> "créées" for many feminine things.
    return f"{count} {stem}{'e' if feminine else ''}{'s' if count > 1 else ''}"


@dataclass
class SectionReport:
    """Rows of one kind: entities, users or démarches, each named by its code or login."""

    title: str  # "Entités"
    noun: str  # "entité", to name one row in the lists
    feminine: bool
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # key -> changed fields
    deactivated: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Active in the database, absent from the file, and left as they are (no --prune).
    missing: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)

    def counts(self) -> str:
        parts = [
            _participle(len(self.created), "créé", self.feminine),
            _participle(len(self.updated), "modifié", self.feminine),
            _participle(len(self.deactivated), "désactivé", self.feminine),
            _participle(self.unchanged, "inchangé", self.feminine),
        ]
        return f"{self.title} : {', '.join(parts)}."


@dataclass
class Report:
    entities: SectionReport = field(
        default_factory=lambda: SectionReport("Entités", "entité", True)
    )
    users: SectionReport = field(
        default_factory=lambda: SectionReport("Utilisateurs", "utilisateur", False)
    )
    demarches: SectionReport = field(
        default_factory=lambda: SectionReport("Démarches", "démarche", True)
    )
    plan: str | None = None  # what happened to the plan, when something did
    passwords: list[tuple[str, str]] = field(default_factory=list)  # (login, one-time password)

    @property
    def sections(self) -> tuple[SectionReport, ...]:
        return (self.entities, self.users, self.demarches)

    @property
    def changed(self) -> bool:
        return self.plan is not None or any(s.changed for s in self.sections)

    def lines(self) -> list[str]:
        if self.changed:
            lines = [s.counts() for s in self.sections]
            if self.plan:
                lines.append(f"Plan : {self.plan}")
        else:
            lines = [
                "Aucun changement.",
                "Déjà à jour : "
                + ", ".join(
                    f"{s.unchanged} {s.noun}{'s' if s.unchanged > 1 else ''}" for s in self.sections
                )
                + ".",
            ]
        updated = [
            f"  {s.noun} {key} : {', '.join(fields)}"
            for s in self.sections
            for key, fields in s.updated.items()
        ]
        if updated:
            lines += ["Modifications :", *updated]
        deactivated = [f"  {s.noun} {key}" for s in self.sections for key in s.deactivated]
        if deactivated:
            lines += ["Désactivés (absents du fichier) :", *deactivated]
        missing = [f"  {s.noun} {key}" for s in self.sections for key in s.missing]
        if missing:
            lines += [
                "Présents en base mais absents du fichier, laissés tels quels "
                "(--prune les désactive) :",
                *missing,
            ]
        return lines
