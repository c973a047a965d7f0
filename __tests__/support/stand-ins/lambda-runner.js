// Runs one invocation of a Lambda handler in this process, as the Lambda
// Node.js runtime would: `node lambda-runner.js <code dir> <module.export>
// <timeout ms> <result file>`, the event on stdin. Writes {"result": ...} or
// {"error": {"errorType", "errorMessage"}} to the result file (the handler's
// own output goes to stdout and stderr, as to CloudWatch Logs). The parent
// (deploy-actions-runtime.ts) kills it when the timeout has passed.
"use strict";
const fs = require("fs");
const path = require("path");

const [codeDir, handlerName, timeoutArg, resultFile] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg);

const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", async () => {
  const [file, exported] = handlerName.split(".");
  const write = (body) => fs.writeFileSync(resultFile, JSON.stringify(body));
  try {
    const handler = require(path.join(codeDir, file))[exported];
    if (typeof handler !== "function") throw new Error(`${handlerName} is not a function of ${codeDir}`);
    const event = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    const context = { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), functionName: process.env.AWS_LAMBDA_FUNCTION_NAME };
    const result = await handler(event, context);
    write({ result: result === undefined ? null : result });
  } catch (e) {
    write({ error: { errorType: (e && e.name) || "Error", errorMessage: (e && e.message) || String(e) } });
  }
  process.exit(0);
});
