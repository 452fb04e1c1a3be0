/** DI token for the validated CloudConfig. */
export const CLOUD_CONFIG = Symbol('CLOUD_CONFIG');
