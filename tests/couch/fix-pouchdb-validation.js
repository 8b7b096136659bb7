// pouchdb-validation 4.2.0 gives every document it validates the _revisions of the stored
// one (lib/index.js: `newDoc._revisions = (oldDoc || {})._revisions;`). With
// `_bulk_docs` and `new_edits: false` (how CouchDB's replication protocol writes a revision
// made elsewhere) that drops the new revision: the server then keeps no conflicts and loses
// updates once a validate_doc_update exists. Apache CouchDB keeps the sender's _revisions;
// this makes the test server do the same (idempotent; run by `npm ci` as postinstall).
"use strict";
const fs = require("fs");
const path = require("path");

const file = path.join(__dirname, "node_modules", "pouchdb-validation", "lib", "index.js");
const broken = "  newDoc._revisions = (oldDoc || {})._revisions;";
const fixed =
  "  if (newDoc._revisions === undefined) { newDoc._revisions = (oldDoc || {})._revisions; }";
const text = fs.readFileSync(file, "utf8");
if (text.includes(fixed)) {
  process.exit(0);
}
if (!text.includes(broken)) {
  console.error(`fix-pouchdb-validation: ${file} is not the expected 4.2.0 source`);
  process.exit(1);
}
fs.writeFileSync(file, text.replace(broken, fixed));
