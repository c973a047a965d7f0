// Types of the cdktf Testing matchers (registered in setup.js).
import "cdktf/lib/testing/adapters/jest";
