import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeWebhookSignature, signWebhook, verifyWebhookSignature } from '../src/index.js';

const VECTOR = 'c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925';
const BODY = '{"id":"evt_1"}';

test('the documented vector', () => {
  assert.equal(computeWebhookSignature('whsec_test', 1700000000, BODY), VECTOR);
  const header = `t=1700000000,v1=${VECTOR}`;
  assert.equal(verifyWebhookSignature('whsec_test', header, BODY, 300, 1700000000), true);
  assert.equal(verifyWebhookSignature('whsec_test', header, Buffer.from(BODY), 300, 1700000300), true);
});

test('refusals', () => {
  const header = `t=1700000000,v1=${VECTOR}`;
  assert.equal(verifyWebhookSignature('whsec_test', header, BODY, 300, 1700000301), false);
  assert.equal(verifyWebhookSignature('whsec_test', header, BODY, 300, 1699999699), false);
  assert.equal(verifyWebhookSignature('whsec_other', header, BODY, 300, 1700000000), false);
  assert.equal(verifyWebhookSignature('whsec_test', header, '{"id":"evt_2"}', 300, 1700000000), false);
  assert.equal(verifyWebhookSignature('whsec_test', undefined, BODY), false);
  assert.equal(verifyWebhookSignature('whsec_test', `v1=${VECTOR}`, BODY, 300, 1700000000), false);
  assert.equal(verifyWebhookSignature('whsec_test', `t=abc,v1=${VECTOR}`, BODY, 300, 1700000000), false);
  assert.equal(verifyWebhookSignature('whsec_test', 't=1700000000,v1=é', BODY, 300, 1700000000), false);
});

test('round trip', () => {
  assert.equal(verifyWebhookSignature('whsec_x', signWebhook('whsec_x', '{}'), '{}'), true);
  const old = signWebhook('whsec_x', '{}', Math.floor(Date.now() / 1000) - 301);
  assert.equal(verifyWebhookSignature('whsec_x', old, '{}'), false);
});

test('a signature made by the gateway', { skip: !process.env.LJQ_WEBHOOK_SIGNATURE && 'no signature from the gateway' }, () => {
  const secret = process.env.LJQ_WEBHOOK_SECRET!;
  const body = process.env.LJQ_WEBHOOK_BODY!;
  assert.equal(verifyWebhookSignature(secret, process.env.LJQ_WEBHOOK_SIGNATURE, body), true);
  assert.equal(verifyWebhookSignature(secret, process.env.LJQ_WEBHOOK_SIGNATURE, body + ' '), false);
});
