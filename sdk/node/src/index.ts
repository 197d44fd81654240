/**
 * Lijiaoqiao management API client. The data plane (`/v1/chat/completions`, `/v1/messages`, …) is for the official
 * OpenAI/Anthropic SDKs pointed at the gateway's base URL.
 */
export { Client, Auth, Users, Keys, Billing, Supply, Webhooks } from './client.js';
export type { ClientOptions, UsageQuery } from './client.js';
export { LijiaoqiaoError } from './errors.js';
export { ROUTES } from './routes.js';
export { computeWebhookSignature, signWebhook, verifyWebhookSignature } from './webhooks.js';
export type * from './types.js';
