// The protocol plugins' benchmark (`npm run bench -- protocols`): each shipped protocol plugin run
// for real (a worker thread, through the Plugins manager) against a real peer on loopback, one
// after the other so they do not share the two cores. Each figure is the median of three runs.
// Ends with one JSON line.
//
//   mqtt_msgs_per_s          numeric messages published at QoS 0 to a local Mosquitto, received
//                            by the MQTT plugin and recorded (target ≥ 50,000)
//   modbus_registers_per_s   holding registers read from a local pymodbus TCP server in blocks of
//                            100 registers, decoded and recorded (target ≥ 2,000)
//   scpi_queries_per_s       queries answered by the simulated bench supply on TCP, polled back to
//                            back (limited by the instrument: one query in flight, as SCPI is)
//   max_rss_mb               the kernel's peak RSS of this process
import { measureModbus } from './protocols-modbus';
import { measureMqtt } from './protocols-mqtt';
import { measureScpi } from './protocols-scpi';

const round = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  process.stderr.write('MQTT…\n');
  const mqtt = await measureMqtt();
  process.stderr.write(`  ${JSON.stringify(mqtt)}\nModbus…\n`);
  const modbus = await measureModbus();
  process.stderr.write(`  ${JSON.stringify(modbus)}\nSCPI…\n`);
  const scpi = await measureScpi();
  process.stderr.write(`  ${JSON.stringify(scpi)}\n`);
  const { mqtt_msgs_per_s, ...mqttRest } = mqtt;
  const { modbus_registers_per_s, ...modbusRest } = modbus;
  const { scpi_queries_per_s, ...scpiRest } = scpi;
  // The fields the issue asks for first, in its order.
  console.log(
    JSON.stringify({
      bench: 'protocols',
      mqtt_msgs_per_s: Math.round(mqtt_msgs_per_s),
      modbus_registers_per_s: Math.round(modbus_registers_per_s),
      scpi_queries_per_s: Math.round(scpi_queries_per_s),
      ...mqttRest,
      ...modbusRest,
      ...scpiRest,
      max_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`protocols bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
