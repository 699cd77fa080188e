// Listing serial ports with what a person needs to pick the right one, and finding a configured
// device again after re-enumeration (/dev/ttyUSB0 → /dev/ttyUSB1) or a replug.

import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { PortInfo } from '../../../shared/ports';

// The window's port picker shows this same shape.
export type { PortInfo } from '../../../shared/ports';

/** How a configured device is found again. */
export interface PortBinding {
  /** Preferred: the USB serial number survives re-enumeration and replugging into another port. */
  serialNumber?: string;
  /** With vendorId/productId: the device that matches them (and `path`, when several do). */
  vendorId?: string;
  productId?: string;
  /** A fixed path (also how pseudo-terminals and built-in ports are bound). */
  path?: string;
}

const norm = (s: string | undefined | null): string | null => (s ? s.toLowerCase().replace(/^0x/, '') : null);

export function describePort(p: Omit<PortInfo, 'label'>): string {
  const parts: string[] = [];
  if (p.manufacturer) parts.push(p.manufacturer);
  if (p.vendorId && p.productId) parts.push(`${p.vendorId}:${p.productId}`);
  if (p.serialNumber) parts.push(`SN ${p.serialNumber}`);
  parts.push(p.path);
  return parts.join(' · ');
}

/** The serial ports of this machine. Linux needs `udevadm` (package udev) for the USB details. */
export async function listSerialPorts(): Promise<PortInfo[]> {
  let raw;
  try {
    raw = await SerialPort.list();
  } catch (e) {
    const hint = 'on Linux, install udev: sudo apt install udev';
    throw new Error(`cannot list serial ports: ${(e as Error).message} (${hint})`, { cause: e });
  }
  return raw.map((r) => {
    const p = {
      path: r.path,
      vendorId: norm(r.vendorId),
      productId: norm(r.productId),
      manufacturer: r.manufacturer ?? null,
      serialNumber: r.serialNumber ?? null,
    };
    return { ...p, label: describePort(p) };
  });
}

/** The binding to store for a port a person picked: the most stable identity it has. */
export function bindingFor(p: PortInfo): PortBinding {
  if (p.serialNumber)
    return {
      serialNumber: p.serialNumber,
      ...(p.vendorId && p.productId ? { vendorId: p.vendorId, productId: p.productId } : {}),
    };
  if (p.vendorId && p.productId) return { vendorId: p.vendorId, productId: p.productId, path: p.path };
  return { path: p.path };
}

export function describeBinding(b: PortBinding): string {
  if (b.serialNumber) return `serial number ${b.serialNumber}`;
  if (b.vendorId && b.productId) return `USB ${b.vendorId}:${b.productId}${b.path ? ` (${b.path})` : ''}`;
  return b.path ?? '(no port)';
}

/**
 * The current path of a bound device, or null when it is not there. A path-only binding is
 * checked on the file system (pseudo-terminals are never listed); USB identities go through
 * the port list.
 */
export async function resolveBinding(
  b: PortBinding,
  list: () => Promise<PortInfo[]> = listSerialPorts,
): Promise<string | null> {
  if (!b.serialNumber && !(b.vendorId && b.productId)) return b.path && existsSync(b.path) ? b.path : null;
  const ports = await list();
  if (b.serialNumber) {
    const hit = ports.find((p) => p.serialNumber === b.serialNumber);
    if (hit) return hit.path;
    return null;
  }
  const vid = norm(b.vendorId);
  const pid = norm(b.productId);
  const same = ports.filter((p) => p.vendorId === vid && p.productId === pid);
  if (same.length === 0) return null;
  // Several identical adapters: the configured path decides; after re-enumeration a lone match is it.
  return same.find((p) => p.path === b.path)?.path ?? (same.length === 1 ? same[0]!.path : null);
}
