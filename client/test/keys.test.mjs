// Keys from a file only its owner can read, or from the environment.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKey, readSecretFile } from '../src/keys.mjs';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

describe('keys', () => {
  it('reads a 0600 key file, and refuses one others may read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-keys-'));
    const file = join(dir, 'alice.key');
    writeFileSync(file, '//Alice\n');
    chmodSync(file, 0o644);
    assert.throws(() => readSecretFile(file), /readable by others \(mode 0644\): chmod 600/);
    await assert.rejects(loadKey({ keyFile: file }), /readable by others/);
    chmodSync(file, 0o600);
    assert.equal((await loadKey({ keyFile: file })).address, ALICE);
  });

  it('takes the key from the environment variable, and says what is missing without one', async () => {
    process.env.BULWARK_TEST_KEY = '//Alice';
    try {
      assert.equal((await loadKey({ envVar: 'BULWARK_TEST_KEY' })).address, ALICE);
    } finally {
      delete process.env.BULWARK_TEST_KEY;
    }
    await assert.rejects(loadKey({ envVar: 'BULWARK_TEST_KEY' }), /no key: give a key file or set BULWARK_TEST_KEY/);
  });
});
