// `sluice/internal/notify`: for the Sluice web app and Sluice's own tools and tests; no semver, it may change in any
// release. A workflow repository uses `sluice`, `sluice/flow`, `sluice/client` and `sluice/testing`.
/**
 * Failure notifications: rules (in code next to a flow or deployment, or an admin's), channels (e-mail,
 * webhook, Slack, Teams, Mattermost), and the notifier that finds events in Temporal and delivers them
 * through an outbox in the store. See docs/notifications.md.
 *
 * @example
 * import { Notifier, notifierSettingsFromEnv } from 'sluice/internal/notify';
 * const notifier = new Notifier({ client, ...notifierSettingsFromEnv(process.env) });
 * notifier.start();
 */
export { Notifier, type NotifierOptions, type NotifierSettings, type TickReport } from './notifier';
export { notifierSettingsFromEnv } from './settings';
export { CHANNEL_KINDS, ChannelConfigError, channelProblem, channelsFromEnv, type ChannelConfig, type ChannelKind } from './channels';
export { addChannel, deleteChannel, listChannels, type ChannelListing } from './channel-store';
export { sendTestMessage } from './test-message';
export { SecretBox, SecretKeyError } from './secrets';
export { addAdminRule, deleteAdminRule, listRules, publishCodeRules, ruleProblems, type AdminRuleInput, type DeclaredRule, type Rule } from './rules';
export { listDeliveries, recentEvents, retryDelivery, runsOfDeliveries, type Delivery } from './outbox';
export { buildMessage, webhookBody, type EventDetail, type Message } from './messages';
export { DeliveryError, DELIVERY_HEADER, type MailSettings } from './send';
export { SIGNATURE_HEADER, signatureOf, verifySignature } from './signature';
export { DEFAULT_NOTIFY_EVENTS, NOTIFY_EVENTS, type Duration, type NotifyEvent, type NotifyRule } from './types';
export { durationMs } from '../deployments';
export { releaseLease, takeLease } from './notifier-state';
