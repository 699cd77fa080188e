// A serial port as listed by the host (devices/serial) and shown in the window's port picker: one
// shape, so a field added on one side is seen by the other.

export interface PortInfo {
  path: string;
  /** USB vendor id, 4 hex digits, lower case (e.g. "2341" for Arduino). */
  vendorId: string | null;
  productId: string | null;
  manufacturer: string | null;
  serialNumber: string | null;
  /** One line for a picker: "Arduino (www.arduino.cc) · 2341:0043 · SN 75833353 · /dev/ttyACM0". */
  label: string;
}
