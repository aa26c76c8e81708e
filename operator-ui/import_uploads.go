package operatorui

import "dozvon/campaigns/imports"

// An uploaded file is kept by campaigns/imports (in the database, so that its preview and its import may land on
// any instance) between its preview and its import, and for a day after.
type upload = imports.Upload

func (ui *UI) uploads() *imports.Uploads { return imports.NewUploads(ui.ImportsDB, ui.MaxUpload) }
