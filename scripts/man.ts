// Writes man/supervise.1 from the help table: bun scripts/man.ts (test/cli/completion.test.ts holds the two equal).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { manPage } from "../src/cli/completion.ts";
import { version } from "../package.json";

writeFileSync(join(import.meta.dir, "..", "man", "supervise.1"), manPage(version));
