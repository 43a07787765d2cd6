// Troubleshooting tools in one place: why a phone described by hand does (not) update, what its status code means,
// whether the deployment is ready, and the import of a retiring server's audit logs.
import './troubleshoot.css';
import { AuditImport } from './AuditImport.js';
import { Preflight } from './Preflight.js';
import { StatusDecoder } from './StatusDecoder.js';
import { WhyForm } from './WhyForm.js';

export function TroubleshootTab({ canChange }: { canChange: boolean }) {
  return (
    <>
      <WhyForm />
      <StatusDecoder />
      <Preflight />
      <AuditImport canChange={canChange} />
    </>
  );
}
