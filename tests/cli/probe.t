# Transcript of pgenc probe on faked hosts (PGENC_SYSROOT), run by tests/cli/probe/run.sh.
# Format and --regenerate: tests/cli/transcript.sh, Documentation/testing.rst.

$ PGENC_SYSROOT=@WORK@/sevsim-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ WARN ] - sevsim: ACTIVE: SIMULATED SEV FIRMWARE, NO MEMORY ENCRYPTION: guest memory is plain text to the host (/dev/sevsim)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ SKIP ] - /dev/sev: absent (sevsim stands in for the SEV firmware)

  pgenc tracking: usable
  SEV: SIMULATED (kvm_amd sevsim=1): NO MEMORY ENCRYPTION, for testing only
[exit 0]

$ PGENC_SYSROOT=@WORK@/sevsim-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/sevsim-host",
    "usable": true,
    "simulated": true,
    "memory_encryption": false,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": true,
      "sev_es": true,
      "sevsim": true,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": false,
    "dev_sevsim": true,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "warn", "message": "sevsim: ACTIVE: SIMULATED SEV FIRMWARE, NO MEMORY ENCRYPTION: guest memory is plain text to the host (/dev/sevsim)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "skip", "message": "/dev/sev: absent (sevsim stands in for the SEV firmware)"}
    ]
  }
[exit 0]

$ PGENC_SYSROOT=@WORK@/sev-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ PASS ] - /dev/sev: present

  pgenc tracking: usable
  SEV: available (SEV and SEV-ES)
[exit 0]

$ PGENC_SYSROOT=@WORK@/sev-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/sev-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": true,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": true,
      "sev_es": true,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
[exit 0]

$ PGENC_SYSROOT=@WORK@/sev-only-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ FAIL ] - sev_es: disabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ PASS ] - /dev/sev: present

  pgenc tracking: usable
  SEV: available
[exit 0]

$ PGENC_SYSROOT=@WORK@/sev-only-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/sev-only-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": true,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": true,
      "sev_es": false,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "fail", "message": "sev_es: disabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
[exit 0]

$ PGENC_SYSROOT=@WORK@/no-sev-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ FAIL ] - sev: disabled (no SEV on this CPU or firmware, or kvm_amd sev=0)
    [ FAIL ] - sev_es: disabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ FAIL ] - /dev/sev: absent (no SEV firmware driver: ccp)

  pgenc tracking: usable
  SEV: not available
[exit 0]

$ PGENC_SYSROOT=@WORK@/no-sev-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/no-sev-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": false,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": false,
      "sev_es": false,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": false,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "fail", "message": "sev: disabled (no SEV on this CPU or firmware, or kvm_amd sev=0)"},
      {"name": "sev_es", "status": "fail", "message": "sev_es: disabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "fail", "message": "/dev/sev: absent (no SEV firmware driver: ccp)"}
    ]
  }
[exit 0]

$ PGENC_SYSROOT=@WORK@/no-kvm-host pgenc probe
  [ FAIL ] - /dev/kvm: absent
  [ SKIP ] - KVM_CAP_PAGE_ENC_BITMAP: needs /dev/kvm
  [ SKIP ] - pgenc module version: kvm is not loaded
  [ FAIL ] - kvm_amd: not loaded (no SEV; tracking still works for non-SEV VMs)
  [ FAIL ] - /dev/sev: absent (no SEV firmware driver: ccp)

  pgenc tracking: NOT available on this host
  SEV: not available
[exit 3]

$ PGENC_SYSROOT=@WORK@/no-kvm-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/no-kvm-host",
    "usable": false,
    "simulated": false,
    "memory_encryption": false,
    "kvm": {
      "loaded": false,
      "version": null,
      "dev_kvm": false,
      "cap_page_enc_bitmap": null
    },
    "kvm_amd": {
      "loaded": false,
      "version": null,
      "sev": null,
      "sev_es": null,
      "sevsim": null,
      "pgenc_dbg_bypass": null
    },
    "dev_sev": false,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "fail", "message": "/dev/kvm: absent"},
      {"name": "cap_page_enc_bitmap", "status": "skip", "message": "KVM_CAP_PAGE_ENC_BITMAP: needs /dev/kvm"},
      {"name": "module_version", "status": "skip", "message": "pgenc module version: kvm is not loaded"},
      {"name": "kvm_amd", "status": "fail", "message": "kvm_amd: not loaded (no SEV; tracking still works for non-SEV VMs)"},
      {"name": "dev_sev", "status": "fail", "message": "/dev/sev: absent (no SEV firmware driver: ccp)"}
    ]
  }
[exit 3]

$ PGENC_SYSROOT=@WORK@/stock-kvm-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ FAIL ] - KVM_CAP_PAGE_ENC_BITMAP: not supported (stock KVM: the pgenc modules are not loaded) (mocked)
  [ FAIL ] - pgenc module version: kvm has none (stock kvm.ko)
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ SKIP ] - pgenc_dbg_bypass: no such parameter (stock kvm-amd.ko)
  [ PASS ] - /dev/sev: present

  pgenc tracking: NOT available on this host
  SEV: available (SEV and SEV-ES)
[exit 3]

$ PGENC_SYSROOT=@WORK@/stock-kvm-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/stock-kvm-host",
    "usable": false,
    "simulated": false,
    "memory_encryption": true,
    "kvm": {
      "loaded": true,
      "version": null,
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 0, "bitmap": false, "hypercall": false, "migration_control": false, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": null,
      "sev": true,
      "sev_es": true,
      "sevsim": null,
      "pgenc_dbg_bypass": null
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "fail", "message": "KVM_CAP_PAGE_ENC_BITMAP: not supported (stock KVM: the pgenc modules are not loaded) (mocked)"},
      {"name": "module_version", "status": "fail", "message": "pgenc module version: kvm has none (stock kvm.ko)"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "pgenc_dbg_bypass", "status": "skip", "message": "pgenc_dbg_bypass: no such parameter (stock kvm-amd.ko)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
[exit 3]

$ PGENC_SYSROOT=@WORK@/intel-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@
  [ FAIL ] - kvm_amd: not loaded (no SEV; tracking still works for non-SEV VMs)
  [ FAIL ] - /dev/sev: absent (no SEV firmware driver: ccp)

  pgenc tracking: usable
  SEV: not available
[exit 0]

$ PGENC_SYSROOT=@WORK@/intel-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/intel-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": false,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": false,
      "version": null,
      "sev": null,
      "sev_es": null,
      "sevsim": null,
      "pgenc_dbg_bypass": null
    },
    "dev_sev": false,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@"},
      {"name": "kvm_amd", "status": "fail", "message": "kvm_amd: not loaded (no SEV; tracking still works for non-SEV VMs)"},
      {"name": "dev_sev", "status": "fail", "message": "/dev/sev: absent (no SEV firmware driver: ccp)"}
    ]
  }
[exit 0]

$ PGENC_SYSROOT=@WORK@/no-bitmap-flag-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ FAIL ] - KVM_CAP_PAGE_ENC_BITMAP: hypercall migration-control (no bitmap ioctls) (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ PASS ] - /dev/sev: present

  pgenc tracking: NOT available on this host
  SEV: available (SEV and SEV-ES)
[exit 3]

$ PGENC_SYSROOT=@WORK@/no-bitmap-flag-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/no-bitmap-flag-host",
    "usable": false,
    "simulated": false,
    "memory_encryption": true,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 6, "bitmap": false, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": true,
      "sev_es": true,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "fail", "message": "KVM_CAP_PAGE_ENC_BITMAP: hypercall migration-control (no bitmap ioctls) (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
[exit 3]

$ PGENC_SYSROOT=@WORK@/future-flags-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control 0x8 (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ PASS ] - /dev/sev: present

  pgenc tracking: usable
  SEV: available (SEV and SEV-ES)
[exit 0]

$ PGENC_SYSROOT=@WORK@/future-flags-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/future-flags-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": true,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 15, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": true,
      "sev_es": true,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control 0x8 (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
[exit 0]

$ PGENC_SYSROOT=@WORK@/version-mismatch-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ WARN ] - pgenc module version: kvm @VERSION@, kvm_amd 0.0.1: they differ (load both from the same build)
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ PASS ] - /dev/sev: present

  pgenc tracking: usable
  SEV: available (SEV and SEV-ES)
[exit 0]

$ PGENC_SYSROOT=@WORK@/version-mismatch-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/version-mismatch-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": true,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "0.0.1",
      "sev": true,
      "sev_es": true,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "warn", "message": "pgenc module version: kvm @VERSION@, kvm_amd 0.0.1: they differ (load both from the same build)"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
[exit 0]

$ PGENC_SYSROOT=@WORK@/git-build-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@+gabc1234-dirty, kvm_amd @VERSION@+gabc1234-dirty
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ PASS ] - /dev/sev: present

  pgenc tracking: usable
  SEV: available (SEV and SEV-ES)
[exit 0]

$ PGENC_SYSROOT=@WORK@/git-build-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/git-build-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": true,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@+gabc1234-dirty",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@+gabc1234-dirty",
      "sev": true,
      "sev_es": true,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@+gabc1234-dirty, kvm_amd @VERSION@+gabc1234-dirty"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
[exit 0]

$ PGENC_SYSROOT=@WORK@/old-tool-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ WARN ] - pgenc module version: kvm 9.9.9, kvm_amd 9.9.9, this tool @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ PASS ] - /dev/sev: present

  pgenc tracking: usable
  SEV: available (SEV and SEV-ES)
[exit 0]

$ PGENC_SYSROOT=@WORK@/old-tool-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/old-tool-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": true,
    "kvm": {
      "loaded": true,
      "version": "9.9.9",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "9.9.9",
      "sev": true,
      "sev_es": true,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "warn", "message": "pgenc module version: kvm 9.9.9, kvm_amd 9.9.9, this tool @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
[exit 0]

$ PGENC_SYSROOT=@WORK@/bypass-off-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ WARN ] - sevsim: ACTIVE: SIMULATED SEV FIRMWARE, NO MEMORY ENCRYPTION: guest memory is plain text to the host (/dev/sevsim)
    [ WARN ] - pgenc_dbg_bypass: off (every DBG_DECRYPT/ENCRYPT page goes to the firmware)
  [ SKIP ] - /dev/sev: absent (sevsim stands in for the SEV firmware)

  pgenc tracking: usable
  SEV: SIMULATED (kvm_amd sevsim=1): NO MEMORY ENCRYPTION, for testing only
[exit 0]

$ PGENC_SYSROOT=@WORK@/bypass-off-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/bypass-off-host",
    "usable": true,
    "simulated": true,
    "memory_encryption": false,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": true,
      "sev_es": true,
      "sevsim": true,
      "pgenc_dbg_bypass": false
    },
    "dev_sev": false,
    "dev_sevsim": true,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "warn", "message": "sevsim: ACTIVE: SIMULATED SEV FIRMWARE, NO MEMORY ENCRYPTION: guest memory is plain text to the host (/dev/sevsim)"},
      {"name": "pgenc_dbg_bypass", "status": "warn", "message": "pgenc_dbg_bypass: off (every DBG_DECRYPT/ENCRYPT page goes to the firmware)"},
      {"name": "dev_sev", "status": "skip", "message": "/dev/sev: absent (sevsim stands in for the SEV firmware)"}
    ]
  }
[exit 0]

$ PGENC_SYSROOT=@WORK@/ioctl-error-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ FAIL ] - KVM_CAP_PAGE_ENC_BITMAP: KVM_CHECK_EXTENSION failed: Input/output error (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ FAIL ] - /dev/sev: absent (no SEV firmware driver: ccp)

  pgenc tracking: NOT available on this host
  SEV: not available
[exit 1]

$ PGENC_SYSROOT=@WORK@/ioctl-error-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/ioctl-error-host",
    "usable": false,
    "simulated": false,
    "memory_encryption": false,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": null
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": true,
      "sev_es": true,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": false,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "fail", "message": "KVM_CAP_PAGE_ENC_BITMAP: KVM_CHECK_EXTENSION failed: Input/output error (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "fail", "message": "/dev/sev: absent (no SEV firmware driver: ccp)"}
    ]
  }
[exit 1]

$ PGENC_SYSROOT=@WORK@/bad-param-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ FAIL ] - sev: unreadable parameter
    [ PASS ] - sev_es: enabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ PASS ] - /dev/sev: present

  pgenc tracking: usable
  SEV: not available
! pgenc probe: @WORK@/bad-param-host/sys/module/kvm_amd/parameters/sev: unexpected value 'maybe'
[exit 1]

$ PGENC_SYSROOT=@WORK@/bad-param-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/bad-param-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": false,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": null,
      "sev_es": true,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "fail", "message": "sev: unreadable parameter"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
! pgenc probe: @WORK@/bad-param-host/sys/module/kvm_amd/parameters/sev: unexpected value 'maybe'
[exit 1]

$ PGENC_SYSROOT=@WORK@/bad-sevsim-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ PASS ] - sev_es: enabled
    [ FAIL ] - sevsim: unreadable parameter: memory encryption unknown
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ PASS ] - /dev/sev: present

  pgenc tracking: usable
  SEV: not available
! pgenc probe: @WORK@/bad-sevsim-host/sys/module/kvm_amd/parameters/sevsim: unexpected value 'perhaps'
[exit 1]

$ PGENC_SYSROOT=@WORK@/bad-sevsim-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/bad-sevsim-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": false,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": true,
      "sev_es": true,
      "sevsim": null,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "pass", "message": "sev_es: enabled"},
      {"name": "sevsim", "status": "fail", "message": "sevsim: unreadable parameter: memory encryption unknown"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
! pgenc probe: @WORK@/bad-sevsim-host/sys/module/kvm_amd/parameters/sevsim: unexpected value 'perhaps'
[exit 1]

$ PGENC_SYSROOT=@WORK@/old-kernel-params-host pgenc probe
  [ PASS ] - /dev/kvm: present
  [ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)
  [ PASS ] - pgenc module version: kvm @VERSION@, kvm_amd @VERSION@
  [ PASS ] - kvm_amd: loaded
    [ PASS ] - sev: enabled
    [ FAIL ] - sev_es: disabled
    [ PASS ] - sevsim: off (SEV commands go to the real firmware)
    [ PASS ] - pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)
  [ PASS ] - /dev/sev: present

  pgenc tracking: usable
  SEV: available
[exit 0]

$ PGENC_SYSROOT=@WORK@/old-kernel-params-host pgenc probe --json
  {
    "pgenc_version": "@VERSION@",
    "sysroot": "@WORK@/old-kernel-params-host",
    "usable": true,
    "simulated": false,
    "memory_encryption": true,
    "kvm": {
      "loaded": true,
      "version": "@VERSION@",
      "dev_kvm": true,
      "cap_page_enc_bitmap": {"flags": 7, "bitmap": true, "hypercall": true, "migration_control": true, "mocked": true}
    },
    "kvm_amd": {
      "loaded": true,
      "version": "@VERSION@",
      "sev": true,
      "sev_es": false,
      "sevsim": false,
      "pgenc_dbg_bypass": true
    },
    "dev_sev": true,
    "dev_sevsim": false,
    "checks": [
      {"name": "dev_kvm", "status": "pass", "message": "/dev/kvm: present"},
      {"name": "cap_page_enc_bitmap", "status": "pass", "message": "KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control (mocked)"},
      {"name": "module_version", "status": "pass", "message": "pgenc module version: kvm @VERSION@, kvm_amd @VERSION@"},
      {"name": "kvm_amd", "status": "pass", "message": "kvm_amd: loaded"},
      {"name": "sev", "status": "pass", "message": "sev: enabled"},
      {"name": "sev_es", "status": "fail", "message": "sev_es: disabled"},
      {"name": "sevsim", "status": "pass", "message": "sevsim: off (SEV commands go to the real firmware)"},
      {"name": "pgenc_dbg_bypass", "status": "pass", "message": "pgenc_dbg_bypass: on (DBG_DECRYPT/ENCRYPT copy shared pages without the firmware)"},
      {"name": "dev_sev", "status": "pass", "message": "/dev/sev: present"}
    ]
  }
[exit 0]

$ pgenc probe extra
! pgenc probe: unexpected argument 'extra'
! Try 'pgenc probe --help'.
[exit 2]

$ pgenc probe --bogus
! pgenc probe: unknown option '--bogus'
! Try 'pgenc probe --help'.
[exit 2]

$ PGENC_SYSROOT=/nonexistent/root pgenc probe
! pgenc probe: PGENC_SYSROOT=/nonexistent/root: not a directory
! Try 'pgenc probe --help'.
[exit 2]

$ pgenc probe --help
  Usage: pgenc probe [--json]

  Report what this host can do: /dev/kvm and KVM_CAP_PAGE_ENC_BITMAP
  (flags decoded), the pgenc module version, kvm_amd and its sev,
  sev_es, sevsim and pgenc_dbg_bypass parameters, /dev/sev.
  sevsim (simulated SEV firmware) is flagged: it encrypts nothing.

  Options:
    --json      one JSON object on stdout (keys in pgenc(1))
    -h, --help  this help

  Environment: PGENC_SYSROOT=DIR reads /sys and /dev under DIR (tests).
  Exit status: 0 pgenc tracking is usable, 3 it is not (no /dev/kvm or
  no capability), 1 an unexpected error, 2 a usage error.
[exit 0]
