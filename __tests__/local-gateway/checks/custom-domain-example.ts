import * as fs from "fs";
import * as path from "path";
import { LocalCommand } from "../support/clients";

/**
 * `npm run local -- websocket-nlb-custom-domain` (issue 19): the example
 * needs a Route 53 zone and an authorizer function to exist beforehand; the
 * command makes them on the emulator, says so, and serves the API with its
 * custom domain's mapping path and the `--authorizer` it was given. Declared
 * by the file that runs it (local-command.test.ts's fresh clone) with one line.
 */

/** An authorizer for the example (game clients pass ?token=<player>), and the arguments that run it. */
export function customDomainExampleArgs(dir: string): string[] {
  const file = path.join(dir, "game-authorizer.js");
  fs.writeFileSync(
    file,
    `exports.handler = async (event) => ({ principalId: event.queryStringParameters.token, policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] } });\n`,
  );
  return ["--authorizer", file];
}

export function customDomainExampleChecks(command: () => LocalCommand): void {
  test("made the zone and the authorizer function the example asks for on the emulator, and said so", () => {
    const out = command().output;
    expect(out).toMatch(/Lambda function arn:aws:lambda:us-east-1:\d+:function:game-authorizer stands for var\.authorizer_function_arn/);
    expect(out).toMatch(/Route 53 zone example\.com \(\S+\) for game\.example\.com stands for var\.hosted_zone_id/);
  });

  test("served the custom domain's mapping path beside the stage URL, with the authorizer given", () => {
    const { lines, output } = command();
    const port = /^WebSocket URL: ws:\/\/127\.0\.0\.1:(\d+)\/prod$/.exec(lines.find((l) => l.startsWith("WebSocket URL: ")) ?? "")?.[1];
    expect(lines).toContainEqual(`Custom domain URL: ws://127.0.0.1:${port}/game (for wss://game.example.com/game)`);
    expect(output).toMatch(
      /\$connect authorizer \(CUSTOM, turtle-battleships-edge-connect, identity sources route\.request\.querystring\.token\): runs \S*game-authorizer\.js \(handler\)/,
    );
    expect(output).toMatch(/Hosts: requests naming \S+\.execute-api\.us-east-1\.amazonaws\.com or game\.example\.com in their Host header/);
  });
}
