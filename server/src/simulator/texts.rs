//! Plausible words for simulated customers: names, subjects and short message texts.

/// Customers' first names.
pub const FIRST_NAMES: &[&str] = &[
    "Adam", "Alicja", "Amy", "Bartosz", "Ben", "Camila", "Chris", "Dorota", "Elena", "Ethan",
    "Filip", "Hanna", "Igor", "Isabel", "Jan", "Julia", "Kasia", "Laura", "Leo", "Lena", "Liam",
    "Maja", "Marek", "Mia", "Nina", "Noah", "Ola", "Oscar", "Patryk", "Rosa", "Sara", "Szymon",
    "Tom", "Weronika", "Zoe", "Zofia",
];

/// Customers' last names.
pub const LAST_NAMES: &[&str] = &[
    "Adamczyk",
    "Brown",
    "Clarke",
    "Dudek",
    "Fischer",
    "García",
    "Górski",
    "Harris",
    "Jones",
    "Kaczmarek",
    "Lopez",
    "Majewski",
    "Martin",
    "Nowicki",
    "Olsen",
    "Patel",
    "Rossi",
    "Rutkowska",
    "Schmidt",
    "Sikora",
    "Smith",
    "Taylor",
    "Walczak",
    "Wilson",
    "Zając",
];

/// Subjects and first customer messages, by queue topic.
pub fn openers(topic: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match topic {
        "sales" => (
            &[
                "Pricing question",
                "Upgrade to Premium",
                "Bulk order",
                "Delivery options",
            ],
            &[
                "Hi, what's the difference between the Standard and Premium plans?",
                "Do you ship to Poland?",
                "Is there a discount for annual billing?",
                "Can I order 40 licences for my team?",
                "Hello, is the blue model back in stock?",
            ],
        ),
        "billing" => (
            &[
                "Charged twice",
                "Invoice request",
                "Refund status",
                "Change of billing address",
            ],
            &[
                "I was charged twice for my subscription this month.",
                "Could you send me an invoice with our VAT number?",
                "When will I get my refund? It's been two weeks.",
                "Please update the billing address on my account.",
            ],
        ),
        _ => (
            &[
                "Order not delivered",
                "Login problem",
                "App crashes",
                "Broken item",
            ],
            &[
                "My order hasn't arrived yet, can you check?",
                "I can't log in to my account, the reset link doesn't work.",
                "The app crashes every time I open settings.",
                "The item I received is damaged.",
                "Hi, my tracking number shows no updates since Monday.",
            ],
        ),
    }
}

/// Customer replies during the conversation, by the sentiment they carry.
pub fn customer_replies(sentiment: i32) -> &'static [&'static str] {
    match sentiment {
        ..=-1 => &[
            "OK, I tried that but it still doesn't work.",
            "That's not what I was told last time.",
            "This is the third time I'm contacting you about this.",
            "How long will that take? I need it today.",
            "Honestly, this is really frustrating.",
        ],
        0 => &[
            "Sure, one moment.",
            "The order number is 58213.",
            "Yes, that's my email address.",
            "How long will that take?",
            "Can you send me a confirmation?",
        ],
        _ => &[
            "Great, thanks!",
            "Perfect, that works now.",
            "Thanks, that helps a lot.",
            "Brilliant, you've been very helpful.",
        ],
    }
}

/// What a customer writes when coming back to a parked conversation.
pub const CUSTOMER_RESUME_LINES: &[&str] = &[
    "Hi, I'm back.",
    "Sorry, I had to step away. Still there?",
    "I found the order number: 77104.",
];

/// An agent's first message.
pub const AGENT_GREETINGS: &[&str] = &[
    "Hi, thanks for reaching out! How can I help?",
    "Hello! Let me look into this for you.",
    "Hi! Thanks for waiting, I'm checking your account now.",
];

/// An agent's last message before ending the session.
pub const AGENT_CLOSINGS: &[&str] = &[
    "Is there anything else I can help you with?",
    "Thanks for contacting us, have a great day!",
    "Glad I could help. Take care!",
];

/// An agent's later messages.
pub const AGENT_LINES: &[&str] = &[
    "Could you share your order number, please?",
    "Thanks, one moment please.",
    "I've fixed that for you.",
    "I've escalated this to our logistics team.",
    "You should receive a confirmation email shortly.",
    "I'm sorry for the inconvenience.",
    "Let me check that with my colleague.",
];

/// Escalation notes.
pub const ESCALATION_NOTES: &[&str] = &[
    "Customer asks for a supervisor",
    "Refund above my approval limit",
    "Possible fraud on the account",
    "Repeat contact, customer is upset",
];
