import { ConflictException } from '@nestjs/common';
import type { CloudConfig } from '../config/cloud-config';
import { isLoopbackUrl } from '../config/cloud-config';

/** The addresses the cloud hands out: in device.yaml, in QR codes, on the installer page. */
export interface PublicEndpoints {
  /** Broker URLs devices may use; the first one goes into device.yaml. Empty when there is none to give. */
  mqttUrls: string[];
  /** Dashboard address people open (QR codes point into it); null when there is none to give. */
  webUrl: string | null;
  /** Loopback addresses may be handed out (LECTERN_LOCAL_MODE, or a cloud listening on loopback only). */
  localMode: boolean;
  /** Why device configs cannot be handed out, as a sentence naming the setting; null when they can. */
  problem: string | null;
}

export const NO_PUBLIC_MQTT_URL =
  'The cloud has no broker address to give devices: its broker only listens on this machine. Set LECTERN_PUBLIC_MQTT_URL to the address devices reach the broker at (for example mqtts://lectern.example.org:8883), or LECTERN_LOCAL_MODE=1 for a demo on this machine.';

/**
 * Resolves what to hand out. `brokerUrl` is the broker's own URL (the embedded one's loopback address, or
 * LECTERN_MQTT_URL); `requestOrigin` the address the browser used, trusted for QR codes in local mode only.
 * Outside local mode a loopback address is never handed out.
 */
export function publicEndpoints(
  config: Pick<CloudConfig, 'publicMqttUrls' | 'publicUrl' | 'localMode'>,
  brokerUrl: string,
  requestOrigin: string | null,
): PublicEndpoints {
  const usable = (u: string | null): u is string => !!u && (config.localMode || !isLoopbackUrl(u));
  const mqttUrls = (config.publicMqttUrls.length ? config.publicMqttUrls : [brokerUrl]).filter(usable);
  const webUrl = config.publicUrl ?? (config.localMode && usable(requestOrigin) ? requestOrigin : null);
  return {
    mqttUrls,
    webUrl: usable(webUrl) ? webUrl : null,
    localMode: config.localMode,
    problem: mqttUrls.length ? null : NO_PUBLIC_MQTT_URL,
  };
}

/** The broker URL for a device config, or a 409 with the sentence saying which setting to set. */
export function deviceBrokerUrl(endpoints: PublicEndpoints): string {
  const url = endpoints.mqttUrls[0];
  if (!url) throw new ConflictException(endpoints.problem ?? NO_PUBLIC_MQTT_URL);
  return url;
}

/** The dashboard page an installer opens for one device: what the QR code holds (never a password). */
export function deviceInstallUrl(webUrl: string, deviceId: string): string {
  return `${webUrl}/#/installer?device=${encodeURIComponent(deviceId)}`;
}
