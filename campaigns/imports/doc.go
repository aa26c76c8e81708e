// Package imports loads what the bank's systems know into Dozvon: clients (companies), their applications for an
// account or for acquiring, and the applications' events (call attempts and results, meetings, accounts opened).
// The data comes as files a campaign manager uploads — CSV in UTF-8 or Windows-1251 with ';' or ',', or XLSX —
// or as JSON records pushed by the bank's systems through the API.
//
// It owns the imports table (the history of every import, with its progress and problems) and the uploaded files
// kept between their preview and their import (uploads, upload_chunks). It writes the clients, applications and
// application_events tables, which belong to campaigns: it only ever upserts them by external_id. It does not build leads or audiences, and it renders nothing: operator-ui calls Preview, Import,
// ImportRecords, ListJobs, GetJob and Uploads.
//
// How a file loads:
//   - the format, encoding and delimiter are detected (or given), the first row is the header, and each column is
//     mapped to a field: Suggest recognises Russian and English header names, the caller may change the mapping;
//   - each row is checked on its own, and a bad value rejects the row with its line and field, while the good rows
//     still load;
//   - good rows go to a temporary staging table with COPY, in batches, and each batch is merged into the real
//     table by external_id with two set-based statements — update what exists and changed, insert what does
//     not — so a re-import updates what it loaded before and never duplicates it; each batch commits on its own.
//     Clients new to Dozvon skip the staging table: they are copied straight into clients, which is twice as
//     fast for a first load;
//   - rows that name a client or application Dozvon does not know are rejected by line, like bad values;
//   - every import is a row of the imports table, with its progress while it runs and its problems after.
//
// A mapped column replaces what the database has, an empty cell included; a column that is not mapped leaves the
// field alone (new records get the default). Two fields are derived when no column gives them: a client's
// legal_form from the company name ("ООО «Ромашка»") or a 12-digit INN (ИП), and its timezone from the region;
// an event's result is empty when no column gives it.
// Columns mapped to Extra are kept as keys of clients.attributes or application_events.payload, merged into
// what is there.
package imports
