// Which run the review shows and whose details are being edited. Opened from the past runs list,
// the recorder ("Review last run") and the review itself, so it lives outside any one component.
import { create } from 'zustand';

export interface ReviewStore {
  /** The run open in the review, or null. */
  runId: string | null;
  /** The run whose details dialog is open, or null. */
  detailsRunId: string | null;
}

export const useReviewStore = create<ReviewStore>(() => ({ runId: null, detailsRunId: null }));

export const openReview = (runId: string): void => useReviewStore.setState({ runId });
export const closeReview = (): void => useReviewStore.setState({ runId: null });
export const openDetails = (runId: string): void => useReviewStore.setState({ detailsRunId: runId });
export const closeDetails = (): void => useReviewStore.setState({ detailsRunId: null });
