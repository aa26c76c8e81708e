package dialog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/msg"
)

// A supervisor grades a closed dialog against the bank's chat QA checklist: each item passes or fails, and the
// score is the sum of the weights of the items passed, out of 100. A dialog has one review; reviewing it again
// replaces it.

// QAItem is one point of the checklist; Key names it in the stored answers and in the screens' catalog.
type QAItem struct {
	Key    string
	Weight int
}

// QAChecklist is the checklist, in the order a dialog goes. The weights add up to 100. What the bank cares about
// most weighs most: the client's question answered and no data asked beyond what the bank's security rules allow.
var QAChecklist = []QAItem{
	{"greeting", 5},  // greeted the client and introduced the bank
	{"answered", 20}, // answered the client's question, correctly and completely
	{"offer", 15},    // presented the script's offer correctly: product, tariff, conditions
	{"outcome", 15},  // recorded the outcome the client actually decided
	{"language", 10}, // polite, correct language, no slang or typos that change the meaning
	{"security", 20}, // asked for no personal data beyond need: no card numbers, codes or passwords in the chat
	{"closing", 15},  // closed properly: summed up and agreed the next step
}

// MaxQAComment is the longest comment a review may have, in characters.
const MaxQAComment = 1000

// ErrStillOpen is returned for a review of a dialog that is not closed yet: only finished work is graded.
var ErrStillOpen = errors.New("dialog: the conversation is still open; only closed dialogs are reviewed")

// QAReview is a supervisor's review of a dialog.
type QAReview struct {
	ConversationID int64
	ReviewerID     int64
	Reviewer       string // display name, else login
	Score          int
	Answers        map[string]bool // every checklist item's key: passed
	Comment        string
	ReviewedAt     time.Time
}

// QAScore is the score of a checklist's answers: the weights of the items passed.
func QAScore(answers map[string]bool) int {
	score := 0
	for _, item := range QAChecklist {
		if answers[item.Key] {
			score += item.Weight
		}
	}
	return score
}

// validateQA checks that every item of the checklist, and nothing else, is answered, and that the comment fits.
func validateQA(answers map[string]bool, comment string) error {
	known := make(map[string]bool, len(QAChecklist))
	for _, item := range QAChecklist {
		known[item.Key] = true
		if _, ok := answers[item.Key]; !ok {
			return msg.In("answers", "dialog.qa_missing", item.Key)
		}
	}
	for key := range answers {
		if !known[key] {
			return msg.In("answers", "dialog.qa_unknown", key)
		}
	}
	if utf8.RuneCountInString(comment) > MaxQAComment {
		return msg.In("comment", "dialog.at_most_chars", MaxQAComment)
	}
	return nil
}

// ReviewDialog records a supervisor's (or an administrator's) review of a closed dialog, replacing an earlier
// one, and returns it.
func (s *Service) ReviewDialog(ctx context.Context, convID, reviewerID int64, answers map[string]bool,
	comment string) (QAReview, error) {
	comment = strings.TrimSpace(comment)
	if err := validateQA(answers, comment); err != nil {
		return QAReview{}, err
	}
	review := QAReview{ConversationID: convID, ReviewerID: reviewerID, Score: QAScore(answers), Answers: answers,
		Comment: comment, ReviewedAt: s.now()}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := mustBeSupervisor(ctx, tx, reviewerID); err != nil {
			return err
		}
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM conversations WHERE id = $1 FOR SHARE`, convID).Scan(&status)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case status != "closed":
			return ErrStillOpen
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO qa_reviews (conversation_id, reviewer_id, score, answers, comment, reviewed_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (conversation_id) DO UPDATE SET reviewer_id = excluded.reviewer_id, score = excluded.score,
			    answers = excluded.answers, comment = excluded.comment, reviewed_at = excluded.reviewed_at`,
			convID, reviewerID, review.Score, answers, comment, review.ReviewedAt)
		return err
	})
	if err != nil && !isSentinel(err) && !errors.Is(err, ErrStillOpen) {
		return QAReview{}, fmt.Errorf("dialog: review conversation %d: %w", convID, err)
	}
	if err != nil {
		return QAReview{}, err
	}
	return s.reviewOrEmpty(ctx, convID)
}

func (s *Service) reviewOrEmpty(ctx context.Context, convID int64) (QAReview, error) {
	r, err := s.Review(ctx, convID)
	if err != nil || r == nil {
		return QAReview{}, err
	}
	return *r, nil
}

// Review returns a dialog's review, or nil when nobody has reviewed it.
func (s *Service) Review(ctx context.Context, convID int64) (*QAReview, error) {
	var r QAReview
	err := s.pool.QueryRow(ctx, `
		SELECT q.conversation_id, q.reviewer_id, coalesce(nullif(u.display_name, ''), u.login), q.score, q.answers,
		       q.comment, q.reviewed_at
		FROM qa_reviews q JOIN users u ON u.id = q.reviewer_id
		WHERE q.conversation_id = $1`, convID).
		Scan(&r.ConversationID, &r.ReviewerID, &r.Reviewer, &r.Score, &r.Answers, &r.Comment, &r.ReviewedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dialog: review of conversation %d: %w", convID, err)
	}
	return &r, nil
}
