/**
 * Short tile labels from `deviceId:trackId` keys: "#12" in a one-camera room, "B·12" with several
 * cameras (letters by sorted device id, taken from the room's device list when known so a camera
 * keeps its letter while another one sees nobody), so labels stay short and unique.
 */
export function trackLabels(keys: readonly string[], roomDeviceIds: readonly string[] = []): Map<string, string> {
  const split = keys.map((key) => {
    const at = key.lastIndexOf(':');
    return { key, device: at >= 0 ? key.slice(0, at) : '', track: at >= 0 ? key.slice(at + 1) : key };
  });
  const devices = [...new Set([...roomDeviceIds, ...split.map((s) => s.device)])].sort();
  const letter = (d: string) => {
    const i = devices.indexOf(d);
    return i < 26 ? String.fromCharCode(65 + i) : String(i + 1);
  };
  return new Map(split.map((s) => [s.key, devices.length > 1 ? `${letter(s.device)}·${s.track}` : `#${s.track}`]));
}
