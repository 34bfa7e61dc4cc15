"""The main screen's actions on the selected article: export, correct, remove.

Split from `main.MainScreen` (which inherits them) so the screen module keeps the flow of
filters, list and article; these open a dialog and hand its answer to the gateway, whose
workers reply with messages handled here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tongket.store.record import ArticleMeta, StoredArticle

from ..dialogs.confirm_remove import ConfirmRemove
from ..dialogs.correct import CorrectDialog
from ..dialogs.export import ExportDialog
from ..gateway import ArchiveGateway
from ..messages import ArticleRemoved, CorrectionSaved
from .layout import MainLayout


class ArticleActions(MainLayout):
    """Export, correction and removal of the article the detail pane shows."""

    gateway: ArchiveGateway
    export_folder: Path | None
    _shown_meta: ArticleMeta | None

    def _requery(self, *, keep_id: str | None = None) -> None:
        raise NotImplementedError

    def _selected_article(self) -> StoredArticle | None:
        stored = self.article_view.stored
        if stored is None:
            self.notify("Select an article first.", markup=False)
        return stored

    def action_export(self) -> None:
        stored = self._selected_article()
        if stored is None:
            return

        def done(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Exported to {path}", title="Export", markup=False)

        self.app.push_screen(ExportDialog(stored, self.gateway, folder=self.export_folder or Path.cwd()), done)

    def action_correct(self) -> None:
        stored = self._selected_article()
        if stored is None:
            return

        def done(changes: dict[str, Any] | None) -> None:
            if changes is None:
                return
            if not changes:
                self.notify("Nothing changed.", markup=False)
                return
            self.gateway.correct(stored.article.id, changes, self)

        self.app.push_screen(CorrectDialog(stored), done)

    def on_correction_saved(self, message: CorrectionSaved) -> None:
        self.notify("Correction saved.", markup=False)
        self._shown_meta = None  # reload the corrected article
        self._requery(keep_id=message.stored.article.id)

    def action_remove(self) -> None:
        stored = self._selected_article()
        if stored is not None:
            aid = stored.article.id
            self.app.push_screen(ConfirmRemove(stored), lambda yes: self.gateway.remove(aid, self) if yes else None)

    def on_article_removed(self, message: ArticleRemoved) -> None:
        self.notify("Article removed; ingesting its file again brings it back.", markup=False)
        self._shown_meta = None
        self._requery()
