import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { Client, LocalCommand } from "../support/clients";

/**
 * The chat's production edges through `npm run local` (issue 19): what a
 * deployment needs to show when its config has a CUSTOM `$connect`
 * authorizer (chat.api.authorization) and a custom domain (chat.domain) and
 * the command runs with `--authorizer`. Declared by the file that deploys
 * it (chat.test.ts) with one line.
 */

/** An authorizer a user would write (ES module, run by the command as Lambda runs it): token "<name>-token" is principal <name>; "mallory-token" is denied. */
export const CHAT_AUTHORIZER = `export const handler = async (event) => {
  const token = event.queryStringParameters?.token ?? "";
  const name = token.replace(/-token$/, "");
  return {
    principalId: name,
    policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: name === "mallory" ? "Deny" : "Allow", Resource: event.methodArn }] },
    context: { tokenLength: token.length },
  };
};
`;

/** The config file: CUSTOM with a function ARN that exists nowhere, and a domain under a mapping key in a zone that exists nowhere. */
export const CHAT_EDGES_CONFIG = {
  chat: {
    api: { authorization: { type: "CUSTOM", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:chat-authorizer" } },
    domain: { name: "chat.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", mappingKey: "chat" },
  },
};

/** Writes the config and the authorizer into a folder of their own (not the command's work folder, which it empties); returns the arguments that use them. */
export function chatEdgesArgs(): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-edges-"));
  fs.writeFileSync(path.join(dir, "edges.json"), JSON.stringify(CHAT_EDGES_CONFIG, null, 2));
  fs.writeFileSync(path.join(dir, "authorizer.mjs"), CHAT_AUTHORIZER);
  return ["--config", path.join(dir, "edges.json"), "--authorizer", path.join(dir, "authorizer.mjs")];
}

/** What the checks need of the deployment. */
export interface ChatEdgesContext {
  readonly command: LocalCommand;
  readonly wsUrl: string;
}

export function chatEdgeChecks(ctx: () => ChatEdgesContext): void {
  describe("production edges (CUSTOM authorizer, custom domain) with --authorizer", () => {
    test("made the authorizer function and the zone on the emulator first, said so, and pointed the stack at them", () => {
      const out = ctx().command.output;
      expect(out).toMatch(
        /Lambda function arn:aws:lambda:us-east-1:\d+:function:chat-authorizer stands for chat\.api\.authorization\.functionArn arn:aws:lambda:us-east-1:123456789012:function:chat-authorizer/,
      );
      expect(out).toMatch(/Route 53 zone example\.com \(\S+\) for chat\.example\.com stands for chat\.domain Z0123456789ABCDEFGHIJ/);
    });

    test("prints the custom domain's URL alone on its line, the authorizer it runs, and the limits with their fast-forward", () => {
      const { command, wsUrl } = ctx();
      expect(command.lines).toContainEqual(`Custom domain URL: ${wsUrl.replace(/\/prod$/, "/chat")} (for wss://chat.example.com/chat)`);
      expect(command.output).toMatch(
        /\$connect authorizer \(CUSTOM, chat-dev-connect, identity sources route\.request\.querystring\.token\): runs \S*authorizer\.mjs \(handler\)/,
      );
      expect(command.output).toMatch(
        /Callback URL: templates naming https:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com .* send backends https:\/\/127\.0\.0\.1:\d+ instead/,
      );
      expect(command.output).toMatch(
        /Limits: idle timeout 600 s \(traffic either way\), maximum connection duration 7200 s; fast-forward every connection's clock: curl -X POST '\S+\/@local\/clock\?advance=<seconds>'/,
      );
    });

    test("refuses a client without a token (401) and one the authorizer denies (403)", async () => {
      const { wsUrl } = ctx();
      await expect(Client.connect(wsUrl)).rejects.toMatchObject({ status: 401 });
      await expect(Client.connect(`${wsUrl}?token=mallory-token`)).rejects.toMatchObject({ status: 403 });
    });

    test("answers on the clock control endpoint it printed (a fast-forward would close every idle connection of this shared deployment: clock.test.ts does that)", async () => {
      const clockUrl = /curl -X POST '(\S+)\?advance=<seconds>'/.exec(ctx().command.output)![1];
      const state = await new Promise<any>((resolve, reject) =>
        http
          .get(clockUrl, (res) => {
            let t = "";
            res.on("data", (d) => (t += d));
            res.on("end", () => resolve(JSON.parse(t)));
          })
          .on("error", reject),
      );
      expect(state).toMatchObject({ offsetSeconds: 0, idleTimeoutSeconds: 600, maxConnectionSeconds: 7200 });
    });
  });
}
