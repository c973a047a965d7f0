const { Testing } = require("cdktf");
Testing.setupJest();

// cdktf records where every token was created with an unlimited stack trace;
// under jest each trace goes through source-map formatting, which made
// building a stack about 4x slower than in plain node. Tests never read those
// traces (they only decorate token resolution errors), so skip them here.
// Production synth (plain node) is unaffected.
require("cdktf/lib/tokens/private/stack-trace").captureStackTrace = () => [];
