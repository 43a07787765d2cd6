// "Upload .cab File" (or `label`): a real button (keyboard and screen readers) that opens the file picker of a hidden input.
import { useRef } from 'react';
import { Button } from '@fluentui/react-components';

export function UploadButton({ disabled, onFile, label = 'Upload .cab File', fileLabel = 'Package file to upload' }: { disabled: boolean; onFile: (file: File) => void; label?: string; fileLabel?: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button size="small" appearance="primary" disabled={disabled} onClick={() => input.current?.click()}>
        {label}
      </Button>
      <input
        ref={input}
        type="file"
        accept=".cab,.exe"
        className="visually-hidden"
        tabIndex={-1}
        aria-label={fileLabel}
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = ''; // the same file can be chosen again
          if (file) onFile(file);
        }}
      />
    </>
  );
}
