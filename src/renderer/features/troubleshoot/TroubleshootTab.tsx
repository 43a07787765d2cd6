// Troubleshooting tools in one place: why a phone described by hand does (not) update, what its status code means,
// whether the deployment is ready, and the import of a retiring server's audit logs. `part` (#/troubleshoot/why?…)
// fills in the Why.
import './troubleshoot.css';
import { AuditImport } from './AuditImport.js';
import { Preflight } from './Preflight.js';
import { StatusDecoder } from './StatusDecoder.js';
import { WhyForm } from './WhyForm.js';
import { parseWhyPart } from './why-link.js';

export function TroubleshootTab({ canChange, part }: { canChange: boolean; part?: string | undefined }) {
  const asked = parseWhyPart(part);
  return (
    <>
      {/* A new question (another link) starts a new form. */}
      <WhyForm key={part ?? ''} asked={asked} />
      <StatusDecoder />
      <Preflight />
      <AuditImport canChange={canChange} />
    </>
  );
}
