package io.tenantgate.reports;

/** Where a report request stands. */
public enum ReportStatus { REQUESTED, RUNNING, DONE, FAILED, CANCELLED }
