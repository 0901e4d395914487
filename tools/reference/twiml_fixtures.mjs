// Renders the TwiML fixture cases with twilio-node (npm twilio 6.3), for crates/twiml-builder.
//
// Reads crates/twiml-builder/tests/fixtures/cases.json (written by twiml_fixtures.py, which also
// runs this script) and writes node.json next to it: name -> XML. Usage, from the repository root:
//
//     node tools/reference/twiml_fixtures.mjs
//
// The cases name twilio-python methods and keyword arguments; they are translated here the way
// twilio-python names attributes (MAP then lowerCamel) and the way twilio-node names methods
// (camelCase, `break_` -> `break`). List values are passed as arrays: twilio-node joins them
// with spaces itself.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "package.json"));
const twilio = require("twilio");
const version = require("twilio/package.json").version;
const fixtures = join(here, "..", "..", "crates", "twiml-builder", "tests", "fixtures");

// twilio-python's TwiML.MAP and lower_camel().
const MAP = { from_: "from", xml_lang: "xml:lang", interpret_as: "interpret-as", for_: "for", break_: "break" };

function lowerCamel(name) {
  if (!name || !name.includes("_")) return name;
  const joined = name
    .split("_")
    .map((part) => (part ? part[0].toUpperCase() + part.slice(1).toLowerCase() : ""))
    .join("");
  return joined[0].toLowerCase() + joined.slice(1);
}

const attributeName = (kwarg) => lowerCamel(MAP[kwarg] ?? kwarg);

function methodName(pythonMethod) {
  const trimmed = pythonMethod.replace(/_$/, "");
  return trimmed.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

function attributes(kwargs = {}) {
  return Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [attributeName(k), v]));
}

function build(parent, node) {
  let child;
  if (node.method === "add_child") {
    child = parent.addChild(node.name, attributes(node.attrs));
    if (node.value !== undefined) child.addText(node.value);
  } else {
    const method = methodName(node.method);
    if (typeof parent[method] !== "function") {
      throw new Error(`twilio-node has no ${method}() on ${parent.constructor.name}`);
    }
    child = parent[method](attributes(node.attrs), node.value);
  }
  for (const item of node.children ?? []) {
    if (item.text !== undefined) child.addText(item.text);
    else build(child, item);
  }
  return child;
}

const { cases } = JSON.parse(readFileSync(join(fixtures, "cases.json"), "utf8"));
const documents = {};
for (const name of Object.keys(cases).sort()) {
  const response = new twilio.twiml.VoiceResponse();
  for (const element of cases[name]) build(response, element);
  documents[name] = response.toString();
}
// Same layout as python.json (sorted keys, one-space indent, raw UTF-8).
const sorted = { documents, library: `twilio-node ${version}` };
writeFileSync(join(fixtures, "node.json"), JSON.stringify(sorted, null, 1) + "\n");
console.log(`node.json: ${Object.keys(documents).length} documents (twilio-node ${version})`);
