/**
 * Output devices registered with this Infrastructure Printer (PWG 5100.22 Register-Output-Device,
 * PWG 5100.18 Update-Output-Device-Attributes). Each device is bound to the user that registered
 * it and to the queues (printer object paths) it may fetch from; the record survives restarts so
 * a device keeps its jobs and identity across an intermediary crash.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IppAttribute } from '@trustnoone/ipp';
import type { DeviceStore } from '../store/types.js';
import { writeFileAtomic } from '../spool/fs-atomic.js';
import { fromJson, toJson } from '../spool/json.js';

export interface OutputDevice {
  /** output-device-uuid, as urn:uuid:… (RFC 4122 form, lower case). */
  readonly uuid: string;
  /** The authenticated user that registered the device; undefined when devices are anonymous. */
  readonly user: string | undefined;
  /** Printer object paths the device serves, e.g. ['/ipp/print']. */
  readonly queues: readonly string[];
  readonly registeredAt: number;
  /** The device's printer attributes as it last reported them (Update-Output-Device-Attributes). */
  readonly attributes: readonly IppAttribute[];
  readonly updatedAt: number;
}

const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** RFC 4122 §3: the canonical textual form; anything else is not a device identity. */
export function normalizeDeviceUuid(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  const urn = v.startsWith('urn:uuid:') ? v : `urn:uuid:${v}`;
  return URN_UUID.test(urn) ? urn : undefined;
}

/** The embedded device store: `<dir>/devices.json`, the whole list rewritten atomically on each change. */
export class FileDeviceStore implements DeviceStore {
  private readonly devices = new Map<string, OutputDevice>();
  private writing: Promise<void> = Promise.resolve();
  private readonly file: string;

  constructor(dir: string) {
    this.file = join(dir, 'devices.json');
  }

  async load(): Promise<OutputDevice[]> {
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const list = fromJson<OutputDevice[]>(text);
    if (!Array.isArray(list)) throw new RangeError(`${this.file}: not a device list`);
    for (const d of list) if (typeof d?.uuid === 'string' && normalizeDeviceUuid(d.uuid) === d.uuid) this.devices.set(d.uuid, d);
    return [...this.devices.values()];
  }

  put(device: OutputDevice): Promise<void> {
    this.devices.set(device.uuid, device);
    return this.save();
  }

  remove(uuid: string): Promise<void> {
    return this.devices.delete(uuid) ? this.save() : Promise.resolve();
  }

  /** Writes serialised one after another, each the whole current list (a crash keeps old or new). */
  private save(): Promise<void> {
    const run = this.writing.then(() => writeFileAtomic(this.file, toJson([...this.devices.values()])));
    this.writing = run.catch(() => undefined);
    return run;
  }
}

/** The devices in memory, written through to a DeviceStore (none: forgotten on restart). */
export class DeviceRegistry {
  private readonly devices = new Map<string, OutputDevice>();

  constructor(
    private readonly store: DeviceStore | undefined,
    readonly maxDevices = 256,
  ) {}

  /** Reads the store (at start, and with a shared store whenever the job view is synced). */
  async load(): Promise<void> {
    if (!this.store) return;
    const list = await this.store.load();
    this.devices.clear();
    for (const d of list) if (typeof d?.uuid === 'string' && normalizeDeviceUuid(d.uuid) === d.uuid) this.devices.set(d.uuid, d);
  }

  get(uuid: string): OutputDevice | undefined {
    return this.devices.get(uuid);
  }

  list(): OutputDevice[] {
    return [...this.devices.values()].sort((a, b) => a.registeredAt - b.registeredAt || a.uuid.localeCompare(b.uuid));
  }

  /** Devices that serve `queue`, in registration order. */
  forQueue(queue: string): OutputDevice[] {
    return this.list().filter((d) => d.queues.includes(queue));
  }

  async put(device: OutputDevice): Promise<void> {
    if (!this.devices.has(device.uuid) && this.devices.size >= this.maxDevices) {
      throw new RangeError(`this intermediary already has ${this.devices.size} output devices (limit ${this.maxDevices})`);
    }
    this.devices.set(device.uuid, device);
    await this.store?.put(device);
  }

  async remove(uuid: string): Promise<boolean> {
    const had = this.devices.delete(uuid);
    if (had) await this.store?.remove(uuid);
    return had;
  }
}
