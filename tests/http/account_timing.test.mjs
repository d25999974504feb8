// The password check takes as long whether or not the phone is registered
// and has a password, so the time of an answer does not tell.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, assertError } from './lib/server.mjs';
import { clientFrom } from './lib/accounts.mjs';

const login = (c, phone, password) => c.post('/api/auth/login', { phone, password, bearer: true });

describe('password checks take as long whether or not the phone has a password', () => {
  it('unknown phones and phones without a password are checked against a stand-in hash', async () => {
    const srv = await startServer({ demo: true });
    try {
      createUser(srv.dbPath, '13700000201', { password: 'some-password-1', keyFile: srv.keyFile });
      createUser(srv.dbPath, '13700000202', { keyFile: srv.keyFile });
      // Each phone three times (the lockout comes after five); the median.
      const timeOf = async (phone, i) => {
        const c = clientFrom(srv, `127.0.2.${i}`);
        const ms = [];
        for (let k = 0; k < 3; k++) {
          const t0 = process.hrtime.bigint();
          assertError(await login(c, phone, `not-the-password-${k}`), 401, 'invalid_credentials');
          ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        return ms.sort((a, b) => a - b)[1];
      };
      const withPassword = await timeOf('13700000201', 1);
      const without = await timeOf('13700000202', 2);
      const unknown = await timeOf('13700000203', 3);
      // argon2id takes tens of milliseconds; a lookup alone a few.
      assert.ok(without > withPassword * 0.3, `no password: ${without} ms vs ${withPassword} ms`);
      assert.ok(unknown > withPassword * 0.3, `unknown phone: ${unknown} ms vs ${withPassword} ms`);
    } finally {
      await srv.stop();
    }
  });
});
