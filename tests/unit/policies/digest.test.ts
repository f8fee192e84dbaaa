import { test } from 'node:test';
import assert from 'node:assert/strict';
import { challenge, digestResponse, parseAuthorization, verifyDigest } from '../../../policies/digest.ts';

// RFC 7616 §3.9.1: the same credentials with MD5 and SHA-256 (the examples RFC 8760 §2 points to).
const EX = {
  username: 'Mufasa', password: 'Circle of Life', realm: 'http-auth@example.org', method: 'GET', uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
};

test('RFC 7616 §3.9.1 vectors: MD5 and SHA-256', () => {
  assert.equal(digestResponse('MD5', EX), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(digestResponse('SHA-256', EX), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

test('an Authorization header parses and verifies; a wrong password or user does not', () => {
  const header = `Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, nonce="${EX.nonce}", nc=00000001, cnonce="${EX.cnonce}", qop=auth, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="x, y"`;
  const c = parseAuthorization(header);
  assert.ok(c);
  assert.equal(c.params['opaque'], 'x, y', 'quoted commas stay inside the value');
  assert.equal(verifyDigest(c, { method: 'GET', username: 'Mufasa', password: 'Circle of Life', realm: EX.realm }), true);
  assert.equal(verifyDigest(c, { method: 'GET', username: 'Mufasa', password: 'circle of life', realm: EX.realm }), false);
  assert.equal(verifyDigest(c, { method: 'GET', username: 'Simba', password: 'Circle of Life', realm: EX.realm }), false);
  assert.equal(verifyDigest(c, { method: 'INVITE', username: 'Mufasa', password: 'Circle of Life', realm: EX.realm }), false, 'the method is covered');
});

test('absent algorithm means MD5; unknown algorithms and garbage never verify', () => {
  const md5 = `Digest username="Mufasa", realm="${EX.realm}", uri="${EX.uri}", nonce="${EX.nonce}", nc=00000001, cnonce="${EX.cnonce}", qop=auth, response="8ca523f5e9506fed4657c9700eebdbec"`;
  const expect = { method: 'GET', username: 'Mufasa', password: 'Circle of Life', realm: EX.realm };
  assert.equal(verifyDigest(parseAuthorization(md5)!, expect), true);
  assert.equal(verifyDigest(parseAuthorization(md5.replace('qop=auth', 'algorithm=SHA-512-256, qop=auth'))!, expect), false);
  assert.equal(parseAuthorization('Digest "unterminated'), undefined);
  assert.equal(parseAuthorization(''), undefined);
  assert.equal(verifyDigest(parseAuthorization('Basic dXNlcjpwYXNz=') ?? { scheme: 'Basic', params: {} }, expect), false);
});

test('a challenge names realm, nonce, algorithm and qop', () => {
  assert.equal(challenge('SHA-256', 'trunkline', 'abc'), 'Digest realm="trunkline", nonce="abc", algorithm=SHA-256, qop="auth"');
  assert.match(challenge('MD5', 'r', 'n', true), /stale=true$/);
});
