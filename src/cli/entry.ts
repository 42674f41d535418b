import { fastRoute, runFast } from "./fast.js";

/**
 * The bin. `amux ps`, `up` and `down` in their plain forms skip commander (src/cli/fast.ts);
 * everything else loads the full program (main.ts parses and exits).
 */
const route = fastRoute(process.argv.slice(2));
if (route) process.exit(await runFast(route));
else await import("./main.js");
