// How long the actions wait between polls and retries, and how much of the
// function's time they keep in reserve. Read from the environment at each use
// so a stand-in runtime can run the same code on a faster clock (tests run a
// 900 s function in seconds); the defaults are the real ones.
"use strict";

const ms = (name, fallback) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v >= 0 && process.env[name] !== "" && process.env[name] !== undefined ? v : fallback;
};

module.exports = {
  /** Between two polls of a build or an Amplify job. */
  pollMs: () => ms("POLL_MS", 15000),
  /** Time kept back at the end of an invocation to return (or fail) cleanly. */
  safetyMs: () => ms("SAFETY_MS", 30000),
  /** First wait before StartBuild is tried again after AccountLimitExceededException; doubles up to the next. */
  backoffMs: () => ms("BACKOFF_MS", 5000),
  backoffMaxMs: () => ms("BACKOFF_MAX_MS", 60000),
  sleep: (millis) => new Promise((resolve) => setTimeout(resolve, millis)),
};
