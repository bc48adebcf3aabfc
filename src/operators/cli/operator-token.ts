/** `npm run operator:token -- <name>`: a new operator token, and the OPERATORS entry that admits it (only its hash). */
import { randomBytes } from 'node:crypto';
import { operatorNamePattern, sha256 } from '../web/operator-directory.js';

const name = process.argv[2] ?? '';
if (!operatorNamePattern.test(name)) {
  console.error('usage: npm run operator:token -- <name>   (letters, digits and . _ @ -)');
  process.exit(1);
}
const token = randomBytes(24).toString('base64url');
console.log(`token for ${name} (give it to them; paycall keeps only its hash):\n  ${token}\n`);
console.log(`add to OPERATORS (comma-separated):\n  ${name}:sha256:${sha256(token).toString('hex')}`);
console.log(`or to the OPERATORS_FILE array:\n  { "name": "${name}", "tokenSha256": "${sha256(token).toString('hex')}" }`);
