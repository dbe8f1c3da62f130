/** Action verbs: the same constants are put into cards and used to register their routes. */
export const Verbs = {
  diagnoseStart: 'diagnose.start',
  requestsMine: 'requests.mine',
  helpShow: 'help.show',
  diagnosisAnswer: 'diagnosis.answer',
  diagnosisFixed: 'diagnosis.fixed',
  diagnosisNotFixed: 'diagnosis.notfixed',
  applicationOpen: 'application.open',
  applicationStart: 'application.start',
  applicationSubmit: 'application.submit',
  requestCancel: 'request.cancel',
  reviewClaim: 'review.claim',
  reviewAskInfo: 'review.askinfo',
  reviewApprove: 'review.approve',
  reviewReject: 'review.reject',
  reviewRetry: 'review.retry',
  managerConfirm: 'manager.confirm',
  managerDecline: 'manager.decline',
  infoAnswer: 'info.answer',
  statusShow: 'status.show',
  teamShow: 'team.show',
  queueShow: 'queue.show',
  statsShow: 'stats.show',
  statsPeriod: 'stats.period',
} as const;

export type Verb = (typeof Verbs)[keyof typeof Verbs];
