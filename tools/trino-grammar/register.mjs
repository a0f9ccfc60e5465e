// Installs hooks.mjs before check.mjs loads dt-sql-parser (see hooks.mjs for why).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
