package dialog

import (
	"context"
	"fmt"
)

// Reach is how far a chat's conversations got: which operators have or had them, and whether one reached the
// team without an operator (waiting in a queue, or closed from there). A chat whose conversations never left
// the bot (or that has none) reached nobody. Screens other than the console — the simulator — use it to show a
// chat only to those the console would show its dialogs to.
type Reach struct {
	Operators []int64
	Queued    bool
}

// Team tells whether any of the chat's conversations reached a person.
func (r Reach) Team() bool { return len(r.Operators) > 0 || r.Queued }

// ChatsReach returns the Reach of each of bot's chats chatIDs that has conversations; a chat missing from the map
// has none.
func (s *Service) ChatsReach(ctx context.Context, bot int64, chatIDs []int64) (map[int64]Reach, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT ct.chat_id,
		       coalesce(array_agg(DISTINCT c.operator_id) FILTER (WHERE c.operator_id IS NOT NULL), '{}'),
		       bool_or(c.operator_id IS NULL AND (c.status = 'waiting' OR c.queued_at IS NOT NULL))
		FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
		WHERE ct.bot_id = $2 AND ct.chat_id = ANY($1)
		GROUP BY ct.chat_id`, chatIDs, bot)
	if err != nil {
		return nil, fmt.Errorf("dialog: reach of %d chats: %w", len(chatIDs), err)
	}
	defer rows.Close()
	out := make(map[int64]Reach)
	for rows.Next() {
		var chat int64
		var r Reach
		if err := rows.Scan(&chat, &r.Operators, &r.Queued); err != nil {
			return nil, fmt.Errorf("dialog: reach of %d chats: %w", len(chatIDs), err)
		}
		out[chat] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dialog: reach of %d chats: %w", len(chatIDs), err)
	}
	return out, nil
}
