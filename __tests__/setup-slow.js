// The e2e, gateway and clone projects: tests that wait on terraform, the
// emulator or sockets get two minutes unless they say otherwise (what
// `--testTimeout=120000` gave them when each suite had a jest run of its own;
// jest's testTimeout is one setting per run, so per project it is set here).
/* global jest -- setupFilesAfterEnv runs inside jest's test environment, where `jest` is defined */
jest.setTimeout(120_000);
