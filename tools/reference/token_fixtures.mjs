// Generate Access Token fixtures with twilio-node, the second reference for crates/access-token.
//
// Run from the repository root, after token_fixtures.py (it reuses that file's cases so both
// references see the same inputs):
//
//     node tools/reference/token_fixtures.mjs
//
// Writes crates/access-token/tests/fixtures/node_tokens.json. twilio-node differs from
// twilio-python by design: it adds `iat`, requires an identity, only writes `nbf` when given one,
// and emits `{}` for an empty Playback grant. Python's default nbf (= now) is passed explicitly so
// the claims stay comparable; cases without an identity are listed as skipped.

import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const require = createRequire(join(here, "package.json"));
const AccessToken = require("twilio/lib/jwt/AccessToken");
const nodeVersion = require("twilio/package.json").version;
const jwtVersion = require("jsonwebtoken/package.json").version;

const pythonPath = join(root, "crates/access-token/tests/fixtures/python_tokens.json");
const outPath = join(root, "crates/access-token/tests/fixtures/node_tokens.json");

const GRANTS = {
  voice: [AccessToken.VoiceGrant, {
    incoming_allow: "incomingAllow",
    outgoing_application_sid: "outgoingApplicationSid",
    outgoing_application_params: "outgoingApplicationParams",
    push_credential_sid: "pushCredentialSid",
    endpoint_id: "endpointId",
  }],
  video: [AccessToken.VideoGrant, { room: "room" }],
  chat: [AccessToken.ChatGrant, {
    service_sid: "serviceSid",
    endpoint_id: "endpointId",
    deployment_role_sid: "deploymentRoleSid",
    push_credential_sid: "pushCredentialSid",
  }],
  data_sync: [AccessToken.SyncGrant, { service_sid: "serviceSid", endpoint_id: "endpointId" }],
  task_router: [AccessToken.TaskRouterGrant, { workspace_sid: "workspaceSid", worker_sid: "workerSid", role: "role" }],
  player: [AccessToken.PlaybackGrant, { grant: "grant" }],
};

function buildGrant(spec) {
  const [Grant, names] = GRANTS[spec.type];
  const options = {};
  for (const [key, value] of Object.entries(spec)) {
    if (key === "type") continue;
    if (!(key in names)) throw new Error(`unmapped grant option ${spec.type}.${key}`);
    options[names[key]] = value;
  }
  return new Grant(options);
}

function mint(input) {
  const options = { identity: input.identity };
  if (input.ttl !== null) options.ttl = input.ttl;
  if (input.nbf === "default") options.nbf = input.now;
  else if (input.nbf !== null) options.nbf = input.nbf;
  if (input.region !== null) options.region = input.region;
  const token = new AccessToken(input.account_sid, input.signing_key_sid, input.secret, options);
  for (const spec of input.grants) token.addGrant(buildGrant(spec));
  const realNow = Date.now;
  Date.now = () => input.now * 1000 + 750;
  try {
    return token.toJwt();
  } finally {
    Date.now = realNow;
  }
}

const decode = (part) => Buffer.from(part, "base64url").toString("utf8");

const python = JSON.parse(readFileSync(pythonPath, "utf8"));
const cases = [];
const skipped = [];
for (const { name, input } of python.cases) {
  if (input.identity === null) {
    skipped.push({ name, reason: "twilio-node requires an identity" });
    continue;
  }
  const jwt = mint(input);
  const [h, p] = jwt.split(".");
  const headerJson = decode(h);
  const payloadJson = decode(p);
  cases.push({
    name,
    input,
    jwt,
    header_json: headerJson,
    payload_json: payloadJson,
    header: JSON.parse(headerJson),
    payload: JSON.parse(payloadJson),
  });
}

const document = {
  generator: "tools/reference/token_fixtures.mjs",
  reference: `twilio-node ${nodeVersion}, jsonwebtoken ${jwtVersion}`,
  note: "inputs copied from python_tokens.json; nbf 'default' is passed to node as nbf=now",
  skipped,
  cases,
};
writeFileSync(outPath, JSON.stringify(document, null, 2) + "\n");
console.log(`wrote ${cases.length} cases (${skipped.length} skipped) to crates/access-token/tests/fixtures/node_tokens.json`);
