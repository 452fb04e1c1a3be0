// @lectern/device: the edge agent (link, outbox, control, preview, config) around @lectern/vision's pipeline.
export * from './link/availability';
export { Agent, SOFTWARE_VERSION, type AgentLogger } from './agent/agent';
export {
  agentConfigSchema,
  loadAgentConfig,
  parseAgentConfig,
  type AgentConfig,
  type AgentConfigInput,
} from './config/agent-config';
export { Outbox, DEFAULT_OUTBOX_LIMITS, type OutboxLimits } from './outbox/outbox';
export { MqttLink, type LinkOptions } from './link/mqtt-link';
export { ModelStore } from './agent/model-store';
export { PreviewServer } from './preview/preview-server';
