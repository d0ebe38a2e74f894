#!/usr/bin/env node
// prepack hook of every published package: the tarball carries the repository's LICENSE (npm and
// pnpm include a LICENSE file found in the package folder). One copy is kept in git, at the root;
// the per-package copies are build output and ignored.
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
copyFileSync(join(root, 'LICENSE'), join(process.cwd(), 'LICENSE'));
