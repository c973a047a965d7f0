// The order jest starts test files in, when several run at once (npm test).
// Long files first, so none starts last and becomes the run's tail: jest's
// own order uses the durations it cached on this machine, and without them
// (a fresh clone, CI) the size of the file, which says nothing about a
// 20-line file that deploys the chat stack. Files without a cached duration
// are ordered here by project (emulator deployments, sockets, the fresh
// clone, terraform plans, unit tests: their usual length, measured in
// docs/testing.md), then by the files known to be long, then by size.
"use strict";
const Sequencer = require("@jest/test-sequencer").default;
const path = require("path");

/** Projects whose files usually take longest first. */
const PROJECT_ORDER = ["e2e", "gateway", "clone", "terraform", "unit"];
/** Files known to be the longest of their project (measured), longest first. */
const LONG_FILES = [
  "__tests__/e2e/chat.test.ts",
  "__tests__/local-gateway/chat.test.ts",
  "__tests__/e2e/websocket-nlb-custom-domain.test.ts",
  "__tests__/local-gateway/local-command.test.ts",
  "__tests__/e2e/websocket-nlb.test.ts",
  "__tests__/e2e/websocket-alb.test.ts",
  "__tests__/local-gateway/local-gateway.test.ts",
  "__tests__/e2e/connections-table.test.ts",
  "__tests__/terraform/stacks.test.ts",
  "__tests__/stacks/synth.test.ts",
  "__tests__/stacks/chat-stack.test.ts",
];

class LongestFirst extends Sequencer {
  sort(tests) {
    const root = (t) => t.context.config.rootDir;
    const rank = (t) => {
      const project = PROJECT_ORDER.indexOf(t.context.config.displayName?.name ?? "");
      const long = LONG_FILES.indexOf(path.relative(root(t), t.path).split(path.sep).join("/"));
      return [project < 0 ? PROJECT_ORDER.length : project, long < 0 ? LONG_FILES.length : long];
    };
    const size = (t) => t.context.hasteFS.getSize(t.path) ?? 0;
    for (const t of tests) t.duration = this.time(t);
    return [...tests].sort((a, b) => {
      if (a.duration != null && b.duration != null) return b.duration - a.duration;
      if ((a.duration != null) !== (b.duration != null)) return a.duration != null ? 1 : -1;
      const [pa, la] = rank(a);
      const [pb, lb] = rank(b);
      return pa - pb || la - lb || size(b) - size(a);
    });
  }
}

module.exports = LongestFirst;
